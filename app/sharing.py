"""A link that reproduces a view: the family, its parameters and the observations, in the URL's query.

``?family=poisson&rate=3.15&x=2,3,0,4`` opens the Poisson model at λ = 3.15 with those four counts.
``?answer=shown`` opens with the best fit shown, and kept shown for new data (a teacher in front of a class; by
default a student tries first: ``ExplorerState.answer_shown``).
Numbers are written with ``repr`` (the shortest text that reads back to the same float), so a shared
view is reproduced exactly. A link that cannot be read (bad numbers, an unknown family, values a
family does not allow, or more than the limits below) opens the default view with a short notice.
"""

from __future__ import annotations

import collections
import math
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import panel as pn
import param

import mle_core

from .controls import held
from .parsing import exact_text, read_number, short_quote
from .requirements import run_when_loaded
from .state import EXAMPLE_FAMILY, ExplorerState, family_needs

#: The longest query a link may carry, and the most observations in it: beyond these, share a file.
MAX_QUERY_CHARS = 20_000
#: The page's own keys a link keeps besides the view (Panel's theme, presentation mode, the answer shown), and the
#: room left for them under MAX_QUERY_CHARS: a view that filled it all made a link that, with ?theme=dark added, no
#: longer opened.
PAGE_KEYS = ("theme", "presentation", "answer")
#: ``?answer=shown``: the page starts with the best fit shown (``ExplorerState.show_answer(keep=True)``).
ANSWER_KEY, ANSWER_SHOWN = "answer", "shown"
PAGE_KEYS_CHARS = 40
MAX_SHARED_POINTS = 1_000
#: The prefix of the truth's keys: ``true_rate=3.2`` for a sample drawn (or a scenario made) at λ = 3.2.
TRUE_PREFIX = "true_"


def _view_keys(family: mle_core.Family) -> set[str]:
    """The keys a link to a view of ``family`` may carry."""
    names = {p.name for p in (*family.parameters, *family.constants)}
    return {"family", "x", "scenario"} | names | {TRUE_PREFIX + p.name for p in family.parameters}


_OWN_KEYS = set().union(*map(_view_keys, mle_core.FAMILIES.values()))


@dataclass(frozen=True)
class SharedView:
    """What a link asks for: a family, its known constants, parameter values and observations, and the scenario
    and the true parameters the observations came from, when they are known."""

    family: str
    constants: dict = field(default_factory=dict)
    theta: dict = field(default_factory=dict)
    observations: np.ndarray | None = None
    scenario: str = ""
    truth: dict | None = None


def share_query(state: ExplorerState) -> dict[str, str]:
    """The query parameters describing ``state``: family, constants, θ, the scenario and the true parameters when
    known, and the observations (only up to ``MAX_SHARED_POINTS``, and only when the link stays within
    ``MAX_QUERY_CHARS`` with room for ``PAGE_KEYS``, so that every link this makes opens)."""
    query = {"family": state.family}
    query.update({name: repr(int(value)) for name, value in state.constants.items()})
    query.update({name: repr(float(value)) for name, value in state.theta.items()})
    if state.scenario:
        query["scenario"] = state.scenario
    query.update({TRUE_PREFIX + name: repr(float(value)) for name, value in (state.true_parameters or {}).items()})
    if 0 < state.n <= MAX_SHARED_POINTS:
        x = ",".join(exact_text(x) for x in state.observations.tolist())
        if _query_size({**query, "x": x}) <= MAX_QUERY_CHARS - PAGE_KEYS_CHARS:
            query["x"] = x
    return query


def _query_size(query: Mapping[str, str]) -> int:
    return sum(len(str(key)) + len(str(value)) for key, value in query.items())


def read_link_query(search: str) -> dict[str, str]:
    """Return a link's query (``?a=1&b=2``) as a dict. Raises ``ValueError`` naming a view's key given twice."""
    return _one_value_each(urllib.parse.parse_qsl(search.lstrip("?"), keep_blank_values=True))


def read_request_arguments(arguments: Mapping[str, list[bytes]]) -> dict[str, str]:
    """Return a request's query arguments (``pn.state.session_args``: each key's values, as bytes) as a dict.
    Raises ``ValueError`` naming a view's key given twice."""
    return _one_value_each(
        (key, value.decode("utf-8", "replace")) for key, values in arguments.items() for value in values
    )


def _one_value_each(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    # A plain dict would settle a key given twice silently, by keeping the last value.
    pairs = list(pairs)
    counts = collections.Counter(key for key, _ in pairs if key in _OWN_KEYS)
    repeated = [f"{short_quote(key)} {count} times" for key, count in counts.items() if count > 1]
    if repeated:
        raise ValueError(f"the link gives {', '.join(repeated)}; a view has one value for each")
    return dict(pairs)


def parse_share_query(query: Mapping[str, str]) -> SharedView | None:
    """Read a link's query; None when it asks for nothing. Raises ``ValueError`` saying what is wrong."""
    if not any(key in _OWN_KEYS for key in query):
        return None
    size = _query_size(query)
    if size > MAX_QUERY_CHARS:
        raise ValueError(f"the link is too long ({size:,} characters; at most {MAX_QUERY_CHARS:,})")
    name = str(query.get("family", EXAMPLE_FAMILY))
    if name not in mle_core.FAMILIES:
        raise ValueError(f"unknown family {short_quote(name)}; choose one of: {', '.join(mle_core.FAMILIES)}")
    family = mle_core.get_family(name)
    own = _view_keys(family)
    foreign = [short_quote(key) for key in query if key in _OWN_KEYS and key not in own]
    if foreign:  # another family's: reading the link without it would show something it did not ask for
        names = ", ".join(p.name for p in (*family.parameters, *family.constants))
        raise ValueError(f"the {family.label} family has no {', '.join(foreign)} (its own: {names})")
    constants = {}
    for constant in family.constants:
        if constant.name in query:
            constants[constant.name] = int(constant.check(_number(query[constant.name], constant.name)))
    theta = {}
    for p in family.parameters:
        if p.name in query:
            value = _number(query[p.name], p.name)
            theta[p.name] = _checked(p, value)
    scenario = str(query.get("scenario", ""))
    if scenario:
        scenarios = _scenarios()
        if scenario not in scenarios or scenarios[scenario].family != family.name:
            raise ValueError(f"there is no {family.label} scenario {short_quote(scenario)}")
    truth = None
    truth_keys = [TRUE_PREFIX + p.name for p in family.parameters]
    if any(key in query for key in truth_keys):
        missing = [key for key in truth_keys if key not in query]
        if missing:
            raise ValueError(f"the true parameters need {', '.join(missing)} too")
        truth = {}
        for p in family.parameters:
            truth[p.name] = _checked(p, _number(query[TRUE_PREFIX + p.name], TRUE_PREFIX + p.name))
    observations = None
    if "x" in query:
        entries = [entry for entry in str(query["x"]).split(",") if entry.strip()]
        if len(entries) > MAX_SHARED_POINTS:
            raise ValueError(f"the link holds {len(entries):,} observations; at most {MAX_SHARED_POINTS:,}")
        values = mle_core.as_observations([_number(entry, f"observation {i}") for i, entry in enumerate(entries, 1)])
        full = {c.name: c.default for c in family.constants} | constants
        outside = mle_core.outside_support(family, values, **full)
        if outside.size:  # named as written and counted from 1, like the other messages about the link
            listed = ", ".join(f"observation {i + 1} ({short_quote(entries[i].strip())})" for i in outside[:5])
            more = f" and {outside.size - 5:,} more" if outside.size > 5 else ""
            raise ValueError(f"{family_needs(family, full)}: {listed}{more}")
        observations = family.validate_observations(values, **full)
    return SharedView(family.name, constants, theta, observations, scenario, truth)


def _scenarios():
    from mle_core.scenarios import SCENARIOS

    return SCENARIOS


def _number(text: str, what: str) -> float:
    text = str(text)
    try:
        # The minus sign the readout shows; and a "+" typed in a link reads as a space ("1e+5" as "1e 5").
        value = read_number(text.strip().replace("\u2212", "-").replace(" ", "+"))
    except ValueError:
        raise ValueError(f"{what} is not a number ({short_quote(text)})") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} is not a finite number ({short_quote(text)})")
    return value


def _checked(parameter: mle_core.Parameter, value: float) -> float:
    above = value > parameter.lower or (parameter.lower_closed and value == parameter.lower)
    below = value < parameter.upper or (parameter.upper_closed and value == parameter.upper)
    if not (above and below):
        raise ValueError(f"{parameter.name} = {value!r} is outside its range")
    return value


def apply_shared_view(state: ExplorerState, view: SharedView) -> None:
    """Put ``state`` in the shared view (one step: Undo goes back to where the student was)."""
    observations = view.observations if view.observations is not None else np.empty(0)
    state.load(
        view.family,
        observations,
        constants=view.constants,
        theta=view.theta,
        scenario=view.scenario,
        truth=view.truth,
    )
    state.notice = "Opened the view from the link."


class ShareLink(pn.viewable.Viewer):
    """ "Link to this view": writes the view into the address bar and shows the link to copy.

    When the page is opened from such a link, the view is restored from it; a link that cannot be
    read opens the default view with a short notice (never a traceback).
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")

    def __init__(self, **params):
        super().__init__(**params)
        self.button = pn.widgets.Button(
            label="Link to this view", description="Put the family, parameters and data in the address bar"
        )
        self.link = pn.widgets.TextInput(
            label="Copy this link to share the view", value="", visible=False, sizing_mode="stretch_width"
        )
        self.button.on_click(held(self._on_share))

    def __panel__(self):
        return pn.Column(self.button, self.link, sizing_mode="stretch_width")

    def restore(self, query: Mapping[str, str]) -> None:
        """Restore the view a link's ``query`` describes (a malformed link: default view and a notice).

        A family whose fit needs a module not loaded yet (scipy for the Weibull, on the static page) gets it
        first, as when a student picks that family; if it cannot be loaded, the notice says so.
        """
        self._show_answer_if_asked(query)
        try:
            view = parse_share_query(query)
        except (ValueError, IndexError) as error:
            self._refuse(error)
            return
        if view is None:
            return

        def apply():
            try:
                apply_shared_view(self.state, view)
            except (ValueError, IndexError) as error:
                self._refuse(error)

        run_when_loaded(self.state, [view.family], apply)

    def _show_answer_if_asked(self, query: Mapping[str, str]) -> None:
        """``?answer=shown``: the best fit is shown from the start, and for every data set after (a teacher's page)."""
        value = query.get(ANSWER_KEY)
        if value is None:
            return
        if str(value).strip().lower() == ANSWER_SHOWN:
            self.state.show_answer(keep=True)
        else:
            self.state.notice = (
                f"The link's {ANSWER_KEY}={short_quote(str(value))} was not understood: "
                f"{ANSWER_KEY}={ANSWER_SHOWN} starts with the best fit shown."
            )

    def _refuse(self, error: Exception) -> None:
        self.state.notice = f"This link could not be opened ({error}); showing the default view instead."

    def restore_from_request(self, arguments: Mapping[str, list[bytes]]) -> None:
        """Restore from the query of the request that opened the session (``pn.state.session_args``)."""
        try:
            query = read_request_arguments(arguments)
        except ValueError as error:
            self._refuse(error)
            return
        self.restore(query)

    def restore_from_location(self) -> None:
        """Restore from the page's own URL (``pn.state.location``), if it carries a view."""
        location = pn.state.location
        if location is not None and location.search:
            try:
                query = read_link_query(location.search)
            except ValueError as error:
                self._refuse(error)
                return
            with pn.io.hold():
                self.restore(query)

    def _on_share(self, _event=None):
        query = share_query(self.state)
        location = pn.state.location
        kept = {}
        if location is not None and location.search:
            kept = {
                key: value
                for key, value in urllib.parse.parse_qsl(location.search.lstrip("?"), keep_blank_values=True)
                if key in PAGE_KEYS and len(key) + len(value) <= PAGE_KEYS_CHARS // len(PAGE_KEYS)
            }
        search = "?" + urllib.parse.urlencode({**kept, **query}, safe=",")
        if location is not None:
            location.search = search
            base = f"{location.protocol}//{location.hostname}{':' + location.port if location.port else ''}"
            url = f"{base}{location.pathname}{search}"
        else:
            url = search
        self.link.param.update(value=url, visible=True)
        if self.state.n and "x" not in query:
            self.state.notice = (
                f"The link holds the family and parameters but not the {self.state.n:,} observations "
                f"(at most {MAX_SHARED_POINTS:,}, or {MAX_QUERY_CHARS:,} characters, fit in a link): "
                "download them as CSV to share them."
            )
        else:
            self.state.notice = "The address bar now holds this view: copy the link to share it."
