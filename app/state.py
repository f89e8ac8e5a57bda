"""The state of one explorer session: the family, its parameters, the observations and what follows.

No views here. Every number the views show is derived in this class from ``mle_core``, so the
app can be driven and tested without a browser.

The model's parameters live on ``state.model``, a small ``param.Parameterized`` built from the
family's own declaration (one ``param.Number`` per declared parameter, with its symbol, bounds and
default), so sliders come from ``FloatSlider.from_param(state.model.param[name])`` whatever the
family, and switching family swaps that object.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import param

import mle_core
from mle_core import FitResult, GaussianStatistics
from mle_core._observations import MAX_MAGNITUDE

#: The label of the box where values are typed, and how the app's messages tell a keyboard user to add data.
TYPED_VALUES_BOX = "Type or paste values"
TYPED_VALUES_LABEL = f"{TYPED_VALUES_BOX} (a dot for decimals), then Enter"
ADD_BY_KEYBOARD = f"type values in the “{TYPED_VALUES_BOX}” box"

#: The five observations of the seed document's reference code.
EXAMPLE_OBSERVATIONS = (2.3, 1.9, 2.5, 2.8, 1.7)
#: The reference code's starting guess: a poor fit, so that the first thing a student sees is a bad fit.
STARTING_MU, STARTING_SIGMA = 0.0, 1.0
#: How many edits Undo can take back.
UNDO_DEPTH = 200
#: How many draws "draw a new sample" allows (the plot switches to a histogram past 1,000).
MAX_SAMPLE_SIZE = 100_000
#: The most trials per observation the binomial takes here (its box's end): ln C(m, x) keeps its digits.
MAX_TRIALS = 100_000


@dataclass(frozen=True)
class ObservationChange:
    """What the last edit did to ``observations``, so views can update in place.

    ``kind`` is ``"append"`` (``indices`` are the new rows at the end), ``"move"`` (rows changed
    value, same length), ``"remove"`` (``indices`` were deleted), ``"undo"`` (an earlier data set is
    back), ``"replace"`` (a new data set) or ``"family"`` (same or cleared data, another family).
    """

    kind: str
    indices: tuple[int, ...] = ()


@dataclass(frozen=True)
class RefusedSwitch:
    """A family switch that was not made because some observations are outside the new family's support."""

    family: str
    indices: tuple[int, ...]
    message: str


# --- the parameters of a family, as param parameters -------------------------------------------
class ModelParameters(param.Parameterized):
    """The current value of each parameter of one family (subclasses add one ``param.Number`` each)."""

    family_name: ClassVar[str] = ""

    @property
    def values(self) -> dict[str, float]:
        """Parameter name → current value, in the family's declaration order."""
        return {name: getattr(self, name) for name in mle_core.get_family(self.family_name).parameter_names}


def short_description(parameter: mle_core.Parameter) -> str:
    """A slider-sized name for the parameter: its description up to a colon or a bracket ("mean", …)."""
    short = re.split(r"[:(]", parameter.description)[0].strip()
    return short if 0 < len(short) <= 40 else parameter.name.replace("_", " ")


@functools.cache
def model_parameters_class(family_name: str) -> type[ModelParameters]:
    """Return the ``ModelParameters`` subclass for a family, built from its declared parameters.

    Cached because it depends only on the (immutable) declaration; every session instantiates its own.
    """
    family = mle_core.get_family(family_name)
    attributes = {"family_name": family.name}
    for p in family.parameters:
        lower = p.lower if math.isfinite(p.lower) else None
        upper = p.upper if math.isfinite(p.upper) else None
        attributes[p.name] = param.Number(
            default=p.default,
            bounds=(lower, upper),
            inclusive_bounds=(getattr(p, "lower_closed", False), getattr(p, "upper_closed", False)),
            label=f"{p.symbol} ({short_description(p)})",
            doc=p.description,
        )
    return type(f"{family.name.title()}Parameters", (ModelParameters,), attributes)


# --- slider ranges ------------------------------------------------------------------------------
def nice_step(width: float) -> float:
    """Return the 1-2-5 × 10ᵏ number closest above ``width`` (a readable slider step)."""
    if not (width > 0 and math.isfinite(width)):
        return 1.0
    exponent = math.floor(math.log10(width))
    for mantissa in (1, 2, 5, 10):
        step = float(f"{mantissa}e{exponent}")  # parsed, so 1e-05 rather than 9.999999999999999e-06
        if step >= width * (1 - 1e-12):
            return step
    return float(f"1e{exponent + 1}")


def data_spread(stats: GaussianStatistics) -> float:
    """Return the data's scale for sizing sliders: σ̂, or for equal observations a unit (or 1e-3 of |x̄|)."""
    sigma_hat = math.sqrt(stats.sum_sq_dev / stats.n)
    spread = sigma_hat if sigma_hat > 0 else max(1.0, abs(stats.mean) * 1e-3)
    return max(spread, abs(stats.mean) * 1e-12)


def parameter_ranges(
    family: mle_core.Family, summary: GaussianStatistics, theta: dict[str, float], estimate: dict | None = None
) -> dict[str, tuple[float, float, float]]:
    """Return slider ranges ``{name: (start, end, step)}`` for every parameter of ``family``.

    ``summary`` holds the observations' count, mean and spread; ``theta`` the values the ranges must
    contain; ``estimate`` the MLE, if any. Steps follow the data's scale, so the sliders resolve the
    likelihood's peak whatever the units:

    * a parameter on the whole line (μ) covers the data's mean ± 5 spreads;
    * a positive one (σ, a rate, a shape, a scale) runs from one step (0 if 0 is allowed) up to
      three times its estimate;
    * one between two finite bounds (a probability) covers them, in thousandths of their width.

    So the MLE is always reachable, for data near 0, far from it (1e8) or spread very wide.
    """
    estimate = estimate or {}
    ranges = {}
    for p in family.parameters:
        value = theta.get(p.name, p.default)
        guess = estimate.get(p.name)
        if math.isfinite(p.lower) and math.isfinite(p.upper):
            step = nice_step((p.upper - p.lower) / 1000)
            start = p.lower if getattr(p, "lower_closed", False) else p.lower + step
            end = p.upper if getattr(p, "upper_closed", False) else p.upper - step
        elif math.isfinite(p.lower):
            if guess is not None and math.isfinite(guess) and guess > p.lower:
                reference = guess - p.lower
            else:
                reference = data_spread(summary) if summary.n else max(abs(p.default - p.lower), 1.0)
            # reference / 100, not 3 · reference / 300, which overflows for a rate of 1e308; for a scale
            # of 5e-324 it underflows to 0, and the step is then the smallest float, not 1.0.
            step = nice_step(reference / 100) if reference / 100 > 0 else math.ulp(0.0)
            start = p.lower if getattr(p, "lower_closed", False) else p.lower + step
            if p.lower < value < start:
                start = value  # a value below one step (σ = 0.4 for data spread by millions) stays reachable
            end = _round_to(p.lower + max(min(3 * reference, _LARGEST), value - p.lower), 10 * step, math.ceil)
        else:
            centre, spread = (summary.mean, data_spread(summary)) if summary.n else (value, 1.0)
            step = nice_step(10 * spread / 500)
            start = _round_to(min(centre - 5 * spread, value), 10 * step, math.floor)
            end = _round_to(max(centre + 5 * spread, value), 10 * step, math.ceil)
        ranges[p.name] = (start, end, step)
    return ranges


#: The largest float: a slider's end is never beyond it (1 / 1e-308 is a rate of 1e308).
_LARGEST = float(np.finfo(np.float64).max)


def _round_to(value: float, unit: float, direction) -> float:
    """Round ``value`` to a multiple of ``unit`` (``math.floor`` or ``math.ceil``), without 0.30000000000000004.

    A value too close to the largest float to be rounded (a parameter of 1e308) is returned as it is.
    """
    digits = max(0, 1 - math.floor(math.log10(unit)))
    scaled = value / unit
    if not math.isfinite(scaled):
        return value
    rounded = round(direction(scaled) * unit, digits)
    if not math.isfinite(rounded):
        return value
    # The product can miss ``value`` by a rounding error (1e149 / 1e148 · 1e148 < 1e149): never round inwards.
    return max(rounded, value) if direction is math.ceil else min(rounded, value)


def family_needs(family: mle_core.Family, constants: dict) -> str:
    """Return what ``family`` takes as observations with these ``constants``, for a message about the ones it
    refused: e.g. "the Binomial (successes in m trials) family needs … (n_trials = 10 here)"."""
    here = "".join(f" ({name} = {value:,} here)" for name, value in constants.items())
    return f"the {family.label} family needs {family.support}{here}"


def why_not_an_observation(family: mle_core.Family, constants: dict, value: float) -> str | None:
    """Return why ``value`` cannot be an observation of ``family`` with these ``constants``, or None if it can.

    The reason names the rule, not the value: callers say which value broke it (the number typed, or the
    observation a drag would have moved), e.g. "observations must be finite numbers".
    """
    if not math.isfinite(value):
        return "observations must be finite numbers"
    if abs(value) > MAX_MAGNITUDE:
        return f"observations must lie within ±{MAX_MAGNITUDE:.0e}"
    if mle_core.outside_support(family, [value], **constants).size:
        return family_needs(family, constants)
    return None


def exact_text(value: float) -> str:
    """Return the shortest text that reads back as exactly ``value``: ``repr``, without a trailing ``.0``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def read_number(text: str) -> float:
    """Return the number ``text`` spells, as ``float`` reads it, or raise ``ValueError``.

    Unlike ``float``, digits grouped with underscores are refused: in a student's data "1_0" is a typo, not ten.
    """
    if "_" in text:
        raise ValueError(f"could not convert string to float: {text!r}")
    return float(text)


def parse_numbers(text: str) -> np.ndarray:
    """Return the numbers in ``text`` (separated by commas, semicolons, spaces or new lines).

    Raises ``ValueError`` naming the first entry that is not a finite number.
    """
    # Accept the typographic minus the readout itself shows, so copied numbers paste back.
    entries = [entry for entry in re.split(r"[\s,;]+", text.replace("\u2212", "-").strip()) if entry]
    if not entries:
        raise ValueError("no numbers found: type values such as 2.1, 3.4")
    values = []
    for position, entry in enumerate(entries, start=1):
        try:
            value = read_number(entry)
        except ValueError:
            raise ValueError(f"entry {position} ({short_quote(entry)}) is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"entry {position} ({short_quote(entry)}) is not a finite number")
        values.append(value)
    return np.array(values)


def short_quote(text: str, limit: int = 20) -> str:
    """``repr`` of ``text``, cut to ``limit`` characters and an ellipsis: a message quotes a value, not all of it."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


def _listed(values: np.ndarray, indices: np.ndarray, limit: int = 5) -> str:
    shown = ", ".join(f"{values[i]:g} (#{i + 1})" for i in indices[:limit])
    more = len(indices) - limit
    return shown + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class _Snapshot:
    """The state before an edit, as Undo restores it: data, family, parameter values and what is known of them."""

    family: str
    constants: tuple
    observations: np.ndarray
    statistics: object
    summary: GaussianStatistics
    theta: tuple
    scenario: str
    true_parameters: tuple | None


class ExplorerState(param.Parameterized):
    """The family, its parameters, the observations, and the likelihood numbers derived from them.

    Edits go through the methods (``add_observations``, ``move_observation``, ``remove_observations``,
    ``undo``, ``reset_example``, ``clear``, ``switch_family``, ``load_scenario``, ``draw_sample``),
    which keep the sufficient statistics up to date, so a new parameter value costs no pass over the
    observations. Appending updates them in O(1) per point; moving or removing a point recomputes
    them in the pass that copies the array anyway, because subtracting a point's share leaves a
    rounding residue that could turn "all observations equal" into a tiny σ̂.
    """

    # --- what the student controls -----------------------------------------------------------
    family = param.Selector(
        default="gaussian", objects=list(mle_core.FAMILIES), constant=True, doc="The family of the model."
    )
    constants = param.Dict(default={}, constant=True, doc="Known constants of the family (binomial: n_trials).")
    model = param.ClassSelector(
        class_=ModelParameters, constant=True, doc="The current parameter values, one param.Number per parameter."
    )
    observations = param.Array(default=np.array(EXAMPLE_OBSERVATIONS), constant=True, doc="The observed data x₁ … xₙ.")

    # --- derived, read-only ------------------------------------------------------------------
    theta = param.Dict(default={}, constant=True, doc="The current parameter values, name → value (follows model).")
    statistics = param.Parameter(constant=True, doc="The family's sufficient statistics of the observations.")
    log_likelihood = param.Number(default=0.0, constant=True, doc="ℓ(θ) = Σ ln f(xᵢ | θ).")
    mle = param.ClassSelector(
        class_=FitResult, allow_None=True, constant=True, doc="The MLE of the observations (None without data)."
    )
    last_change = param.ClassSelector(
        class_=ObservationChange, constant=True, doc="What the latest edit did to the observations."
    )
    can_undo = param.Boolean(default=False, constant=True, doc="Whether there is an edit to take back.")
    refused_switch = param.ClassSelector(
        class_=RefusedSwitch, allow_None=True, constant=True, doc="A family switch the data did not allow, if any."
    )
    true_parameters = param.Dict(
        default=None, allow_None=True, constant=True, doc="The parameters the observations were drawn from, if known."
    )
    scenario = param.String(default="", constant=True, doc="The scenario whose data are loaded ('' if none).")
    notice = param.String(default="", doc="A short message for the student about the latest action.")

    def __init__(self, rng: np.random.Generator | int | None = None, **params):
        family = mle_core.get_family(params.pop("family", "gaussian"))
        constants = {c.name: c.default for c in getattr(family, "constants", ())}
        constants.update(params.pop("constants", {}))
        observations = self._validate(family, constants, params.pop("observations", EXAMPLE_OBSERVATIONS))
        theta = params.pop("theta", None)
        super().__init__(**params)
        self._rng = np.random.default_rng(rng)
        self._undo_stack: list[_Snapshot] = []
        self._model_watcher = None
        if theta is None and family.name == "gaussian":
            theta = {"mu": STARTING_MU, "sigma": STARTING_SIGMA}
        self._publish(family, constants, observations, change=ObservationChange("replace"), theta=theta)

    # --- derived numbers -----------------------------------------------------------------------
    @property
    def n(self) -> int:
        return int(self.observations.size)

    @property
    def family_spec(self) -> mle_core.Family:
        """The ``mle_core.Family`` the model belongs to."""
        return mle_core.get_family(self.family)

    @property
    def max_log_likelihood(self) -> float | None:
        """ℓ̂ = ℓ(θ̂), ``inf`` when unbounded, ``None`` without observations."""
        return None if self.mle is None else self.mle.log_likelihood

    def log_densities(self, x, theta: dict | None = None) -> np.ndarray:
        """Return ln f(x | θ) for values ``x`` of the family's support (θ: the current values by default)."""
        return mle_core.log_densities(self.family, x, **(theta or self.theta), **self.constants)

    def _log_likelihood(self, stats) -> float:
        # From the sufficient statistics: O(1) whatever the number of observations (Weibull: O(n)).
        return mle_core.log_likelihood(self.family, stats, **self.model.values)

    def _on_model(self, *_):
        with param.edit_constant(self):
            self.param.update(theta=self.model.values, log_likelihood=self._log_likelihood(self.statistics))

    # --- editing the observations ---------------------------------------------------------------
    def add_observations(self, values) -> None:
        """Append observations (validated for the family's support; on error nothing changes)."""
        new = self._validate(self.family_spec, self.constants, values)
        if new.size == 0:
            return
        start = self.n
        stats = self.statistics.add(new[0]) if new.size == 1 else self.statistics.extend(new)
        summary = self._summary.add(new[0]) if new.size == 1 else self._summary.extend(new)
        change = ObservationChange("append", tuple(range(start, start + new.size)))
        # The first points after Clear all are a new data set, as Example data or an upload are: the ranges fit
        # them (not the data that were cleared), and a slider far outside them comes to their estimate.
        ranges = "widen" if start else "reset"
        self._replace(np.concatenate([self.observations, new]), change, stats=stats, summary=summary, ranges=ranges)

    def check_move(self, index: int, value) -> tuple[int, float]:
        """Return ``(index, value)`` as a move would make it, or raise ``ValueError`` saying why it cannot.

        The observation is named by its number, as the move card numbers them (1 is the first):
        "…; observation 4 would be -0.05".
        """
        (index,) = self._indices([index])
        try:
            value = float(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float, e.g. 10**400
            raise ValueError(f"observations are numbers, and {short_quote(str(value))} is not one") from None
        reason = why_not_an_observation(self.family_spec, self.constants, value)
        if reason is not None:
            # A drag's value is where the pointer was (-0.04999959528659876): four figures say it; whole numbers
            # (a snapped count, 1e+308) are shown exactly, as four figures could round them onto a bound (1e+09).
            shown = exact_text(value) if value.is_integer() else f"{value:.4g}"
            raise ValueError(f"{reason}; observation {index + 1} would be {shown}")
        return int(index), value

    def move_observation(self, index: int, value: float) -> None:
        """Move observation ``index`` to ``value`` (which must be in the family's support)."""
        index, value = self.check_move(index, value)
        if self.observations[index] == value:
            return
        observations = self.observations.copy()
        observations[index] = value
        self._replace(observations, ObservationChange("move", (int(index),)))

    def remove_observations(self, indices) -> None:
        """Remove the observations at ``indices``."""
        indices = np.unique(self._indices(indices))
        if indices.size == 0:
            return
        keep = np.ones(self.n, dtype=bool)
        keep[indices] = False
        self._replace(self.observations[keep], ObservationChange("remove", tuple(indices.tolist())))

    def _indices(self, indices) -> np.ndarray:
        """Return ``indices`` as an integer array; raise ``IndexError`` naming the first that is no observation's."""
        if isinstance(indices, np.ndarray) and indices.dtype.kind in "iu":
            array = indices.ravel()
            outside = array[(array < 0) | (array >= self.n)]
            first = int(outside[0]) if outside.size else None
        else:  # one by one, as given: np.asarray would turn [1, 2.0] into floats and 2**70 into an overflow
            items = indices.ravel().tolist() if isinstance(indices, np.ndarray) else list(indices)
            checked = []
            for index in items:
                if isinstance(index, bool | np.bool_):
                    raise IndexError("True/False are not observation indices: indices are whole numbers")
                try:
                    checked.append(operator.index(index))  # whole numbers only: 1.7 is not a position
                except TypeError:
                    raise IndexError(f"{index!r} is not an observation's index: indices are whole numbers") from None
            first = next((index for index in checked if not 0 <= index < self.n), None)
            array = np.array(checked if first is None else [], dtype=np.int64)
        if first is not None:
            raise IndexError(f"no observation at index {first}: there are {self.n} (indices 0 to {self.n - 1})")
        return array

    def set_observations(self, values) -> None:
        """Replace every observation with ``values`` (validated first; on error nothing changes)."""
        observations = self._validate(self.family_spec, self.constants, values)
        self._replace(observations, ObservationChange("replace"), ranges="reset")

    def reset_example(self) -> None:
        """Go back to the seed document's five example observations, under the Gaussian (one Undo step)."""
        if self.family == "gaussian":
            self.set_observations(EXAMPLE_OBSERVATIONS)
        else:
            self._publish(
                mle_core.get_family("gaussian"),
                {},
                self._validate(mle_core.get_family("gaussian"), {}, EXAMPLE_OBSERVATIONS),
                change=ObservationChange("replace"),
                theta={"mu": STARTING_MU, "sigma": STARTING_SIGMA},
            )
        self.notice = "Back to the five example observations."

    def clear(self) -> None:
        """Remove every observation."""
        self.set_observations([])
        self.notice = f"All observations removed. Click on the plot, or {ADD_BY_KEYBOARD}, to add some."

    def undo(self) -> None:
        """Take back the latest edit of the observations (a family switch, a scenario, a sample included).

        Everything is as it was just before that edit: the family and its constants, the observations,
        the parameter values (the sliders, also where they were moved since) and the scenario or true
        parameters the data came with.
        """
        if not self._undo_stack:
            return
        snapshot = self._undo_stack.pop()
        self._publish(
            mle_core.get_family(snapshot.family),
            dict(snapshot.constants),
            snapshot.observations,
            change=ObservationChange("undo"),
            stats=snapshot.statistics,
            summary=snapshot.summary,
            theta=dict(snapshot.theta),
            record=False,
            ranges="reach",
            scenario=snapshot.scenario,
            truth=None if snapshot.true_parameters is None else dict(snapshot.true_parameters),
        )
        self.notice = "Undid the last edit."

    # --- the family -------------------------------------------------------------------------
    def switch_family(self, name: str, clear: bool = False) -> bool:
        """Make ``name`` the model's family; return whether it was switched.

        The observations are kept when every one of them is in the new family's support. When some
        are not, nothing changes: ``refused_switch`` and ``notice`` say which, and
        ``switch_family(name, clear=True)`` switches with no observations (Undo brings them back).
        """
        family = mle_core.get_family(name)
        if family.name == self.family and not clear:
            return True
        constants = self._constants_for(family)
        observations = np.empty(0) if clear else self.observations
        outside = mle_core.outside_support(family, observations, **constants) if observations.size else np.empty(0)
        if outside.size:
            support = family.support
            if constants.get("n_trials") == MAX_TRIALS and np.max(observations[outside]) > MAX_TRIALS:
                support += f" (at most {MAX_TRIALS:,} trials per observation here)"
            message = (
                f"The {family.label} family needs {support}; {outside.size} of the {self.n} observations "
                f"{'is' if outside.size == 1 else 'are'} not: {_listed(observations, outside)}. Nothing was changed: "
                f"clear the data to switch, or keep the {self.family_spec.label} family."
            )
            with param.edit_constant(self):
                self.param.update(
                    refused_switch=RefusedSwitch(family.name, tuple(outside.tolist()), message), notice=message
                )
            return False
        self._publish(family, constants, observations, change=ObservationChange("family"), ranges="reset")
        self.notice = f"Switched to the {family.label} family; the sliders are its parameters."
        return True

    def keep_family(self) -> None:
        """Dismiss a refused switch."""
        with param.edit_constant(self):
            self.param.update(refused_switch=None, notice="")

    def set_constant(self, name: str, value) -> None:
        """Set a known constant of the family (binomial: ``n_trials``); refused if the data do not allow it."""
        spec = {c.name: c for c in getattr(self.family_spec, "constants", ())}
        if name not in spec:
            raise ValueError(f"the {self.family} family has no constant {name!r}")
        constants = _within_app_limits({**self.constants, name: int(spec[name].check(value))})
        observations = self._validate(self.family_spec, constants, self.observations)
        self._publish(self.family_spec, constants, observations, change=ObservationChange("family"), theta=self.theta)

    def _constants_for(self, family) -> dict:
        """The new family's constants: the current ones where they apply, else defaults wide enough for the data."""
        constants = {}
        for c in getattr(family, "constants", ()):
            value = self.constants.get(c.name, c.default)
            if c.name == "n_trials" and self.n:
                largest = float(np.max(self.observations))
                if largest.is_integer() and largest > value:
                    # Larger counts are then outside the support, and the switch is refused naming them.
                    value = int(min(largest, MAX_TRIALS))
            constants[c.name] = value
        return constants

    # --- scenarios and simulation --------------------------------------------------------------
    def load_scenario(self, name: str) -> None:
        """Load one of ``mle_core.scenarios.SCENARIOS``: its family, data and deliberately wrong start."""
        scenario = _scenarios()[name]
        truth = dict(scenario.true_params) if scenario.true_params else None
        self.load(
            scenario.family,
            scenario.observations,
            constants=scenario.constants,
            theta=scenario.start,
            scenario=name,
            truth=truth,
        )
        self.notice = f"Loaded “{scenario.title}”. Press Optimize to jump to the MLE."

    def load(self, family: str, observations, constants=None, theta=None, scenario: str = "", truth=None) -> None:
        """Replace family, constants, observations and parameter values at once (one Undo step).

        Everything is validated first; on error nothing changes.
        """
        spec = mle_core.get_family(family)
        full = {c.name: c.default for c in spec.constants}
        full.update(constants or {})
        full = {c.name: int(c.check(full[c.name])) if c.integer else c.check(full[c.name]) for c in spec.constants}
        full = _within_app_limits(full)
        observations = self._validate(spec, full, observations)
        theta = dict(theta or {})
        if theta:
            spec.check_params({**{p.name: p.default for p in spec.parameters}, **theta})
        self._publish(
            spec,
            full,
            observations,
            change=ObservationChange("replace"),
            theta=theta,
            ranges="reset",
            scenario=scenario,
            truth=truth,
        )

    def draw_sample(self, size: int, **true_parameters) -> None:
        """Replace the observations with ``size`` draws from the family at ``true_parameters``.

        The parameters default to the sliders' current values; the truth is kept, so the views can
        show it next to the MLE.
        """
        size = int(size)
        if not 1 <= size <= MAX_SAMPLE_SIZE:
            raise ValueError(f"the sample size must be between 1 and {MAX_SAMPLE_SIZE:,}, got {size}")
        family = self.family_spec
        truth = family.check_params({**self.theta, **true_parameters})
        draws = mle_core.sample(family, size, rng=self._rng, **truth, **self.constants)
        try:
            observations = self._validate(family, self.constants, draws)
        except ValueError as error:  # finite draws, but beyond what the app takes as observations
            # The positions the check lists mean nothing in a random sample: keep only the rule.
            rule = str(error).split(";")[0]
            raise ValueError(
                f"the draws are too large to keep ({rule}); choose true parameters that give smaller values"
            ) from None
        self._publish(
            family,
            self.constants,
            observations,
            change=ObservationChange("replace"),
            theta=self.theta,
            ranges="reset",
            truth=truth,
        )
        self.notice = f"Drew {size:,} observations from the true distribution; press Optimize to estimate it."

    # --- the estimate -----------------------------------------------------------------------
    def mle_parameters(self) -> dict[str, float] | None:
        """Return where Optimize would put the sliders, or None without observations.

        Without a finite maximum (σ̂ = 0 for equal Gaussian observations) a parameter goes to the
        end of its slider the estimate points to.
        """
        if self.mle is None:
            return None
        target = {}
        family = self.family_spec
        ranges = parameter_ranges(family, self._summary, self.theta, dict(self.mle.params))
        for p in family.parameters:
            value = float(self.mle.params[p.name])
            if not _within(p, value):
                start, end, _ = ranges[p.name]
                start = min(start, self.model.param[p.name].bounds[0])
                end = max(end, self.model.param[p.name].bounds[1])
                value = start if value <= p.lower else end
            target[p.name] = value
        return target

    def optimize(self) -> None:
        """Set the parameters to the maximum likelihood estimate θ̂."""
        target = self.mle_parameters()
        if target is None:
            self.notice = f"Add at least one observation before optimizing: click on the plot, or {ADD_BY_KEYBOARD}."
            return
        self.set_parameters(**target)
        if self.mle.converged:
            self.notice = "Moved to the maximum likelihood estimate."
            if self.mle.message:
                self.notice += f" {self.mle.message[0].upper()}{self.mle.message[1:]}."
        else:
            where = "".join(
                f" {p.symbol} is at its {'smallest' if self.mle.params[p.name] <= p.lower else 'largest'} value."
                for p in self.family_spec.parameters
                if target[p.name] != self.mle.params[p.name]
            )
            self.notice = f"{self.mle.message[0].upper()}{self.mle.message[1:]}.{where}"

    def set_parameters(self, **values) -> None:
        """Set parameters together (one update), widening the slider ranges if needed."""
        values = self.make_reachable(**values)
        self.model.param.update(values)

    def make_reachable(self, **values) -> dict[str, float]:
        """Widen the slider ranges so that they contain the given values; return those values as floats."""
        names = self.family_spec.parameter_names
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for the {self.family} family")
        values = {name: float(value) for name, value in values.items() if value is not None}
        # Checked before any range moves: a value the family does not allow (inf, σ ≤ 0) changes nothing.
        self.family_spec.check_params({**self.model.values, **values})
        self._fit_ranges(include=values)
        return values

    # --- internals --------------------------------------------------------------------------
    @staticmethod
    def _validate(family, constants, values) -> np.ndarray:
        return family.validate_observations(mle_core.as_observations(values), **constants)

    def _statistics_of(self, family, constants, observations):
        return family.statistics(observations, **constants)

    def _replace(self, observations, change, stats=None, summary=None, ranges="widen") -> None:
        """Publish new observations for the current family (statistics recomputed unless given)."""
        self._publish(
            self.family_spec,
            self.constants,
            observations,
            change=change,
            stats=stats,
            summary=summary,
            ranges=ranges,
        )

    def _publish(
        self,
        family,
        constants,
        observations,
        change,
        stats=None,
        summary=None,
        theta=None,
        record=True,
        ranges="widen",
        scenario="",
        truth=None,
    ) -> None:
        """Publish a new family, constants, observations and what follows from them, in one batch.

        ``theta`` are the parameter values to keep (a new family starts from its defaults);
        ``ranges``: ``"widen"`` the sliders' ranges to the new data, ``"reset"`` them to it, or, for
        ``"reach"``, reset them only if the new MLE is out of reach. The views' watchers run after the
        ranges are fitted, so they see the final ranges.
        """
        if record and hasattr(self, "_summary"):
            self._undo_stack.append(
                _Snapshot(
                    self.family,
                    tuple(self.constants.items()),
                    self.observations,
                    self.statistics,
                    self._summary,
                    tuple(self.theta.items()),
                    self.scenario,
                    None if self.true_parameters is None else tuple(self.true_parameters.items()),
                )
            )
            del self._undo_stack[:-UNDO_DEPTH]
        if stats is None:
            stats = self._statistics_of(family, constants, observations)
        if summary is None:
            summary = stats if isinstance(stats, GaussianStatistics) else GaussianStatistics._from_valid(observations)
        self._summary = summary
        observations.setflags(write=False)
        fit = mle_core.fit_result(family, stats) if observations.size else None
        model = self.model
        if model is None or model.family_name != family.name:
            model = model_parameters_class(family.name)()
            ranges = "reset"  # a new family's sliders start from its own ranges
        theta = {name: float(value) for name, value in (theta or {}).items() if name in family.parameter_names}
        with param.parameterized.batch_call_watchers(self), param.edit_constant(self):
            if model is not self.model:
                if self._model_watcher is not None:
                    self.model.param.unwatch(self._model_watcher)
                self._model_watcher = model.param.watch(self._on_model, list(family.parameter_names))
                # Only when it is a new object: param counts any two Parameterized as "changed", and
                # the sliders are rebuilt when ``model`` changes.
                self.model = model
            self.param.update(
                family=family.name,
                constants=dict(constants),
                observations=observations,
                statistics=stats,
                mle=fit,
                last_change=change,
                can_undo=bool(self._undo_stack),
                refused_switch=None,
                scenario=scenario,
                true_parameters=truth,
                notice="",
            )
            if ranges == "reach":
                ranges = "widen" if self._mle_in_reach() else "reset"
            self._fit_ranges(reset=ranges == "reset", include=theta)
            if theta:
                model.param.update(theta)  # within the ranges just fitted
            # In the same batch: the views update once, with the final values.
            self.param.update(theta=model.values, log_likelihood=self._log_likelihood(stats))

    def _mle_in_reach(self) -> bool:
        if self.mle is None:
            return True
        return all(
            self.model.param[name].bounds[0] <= value <= self.model.param[name].bounds[1]
            for name, value in self.mle.params.items()
        )

    def _fit_ranges(self, reset: bool = False, include: dict | None = None) -> None:
        """Fit the slider ranges to the observations.

        With ``reset`` the ranges are recomputed from the data (a current value far outside is
        moved in); otherwise they only widen, so a slider never jumps under the student's hand.
        ``include`` names values the ranges must contain (e.g. the target of Optimize).
        """
        family = self.family_spec
        estimate = dict(self.mle.params) if self.mle is not None else None
        wanted = self._nearby_values(estimate) if reset else self.model.values
        wanted.update(include or {})
        ranges = parameter_ranges(family, self._summary, wanted, estimate)
        updates = {}
        for name, (start, end, step) in ranges.items():
            parameter = self.model.param[name]
            if not reset:
                start, end = min(start, parameter.bounds[0]), max(end, parameter.bounds[1])
                step = min(step, parameter.step)
            if (start, end) != tuple(parameter.bounds) or step != parameter.step:
                # The slider's ends are allowed values (computed inside the family's open bounds).
                parameter.inclusive_bounds = (True, True)
                parameter.bounds = (start, end)
                parameter.step = step
            current = getattr(self.model, name)
            if not start <= current <= end:
                updates[name] = min(max(wanted[name], start), end)
        if updates:
            self.model.param.update(updates)

    def _nearby_values(self, estimate: dict | None) -> dict[str, float]:
        """The current values if they are within reach of the data, else the estimate's."""
        values = self.model.values
        if not estimate or self._summary.n == 0:
            return values
        family = self.family_spec
        spread = data_spread(self._summary)
        for p in family.parameters:
            value, guess = values[p.name], estimate[p.name]
            if not _within(p, guess):
                continue
            if math.isfinite(p.lower) and math.isfinite(p.upper):
                continue
            if math.isfinite(p.lower):
                reference = guess - p.lower if guess > p.lower else spread
                if value - p.lower > 20 * reference:
                    values[p.name] = guess if guess > p.lower else p.lower + reference
            elif abs(value - self._summary.mean) > 20 * spread:
                values[p.name] = guess
        return values


def _within_app_limits(constants: dict) -> dict:
    """Return ``constants`` if the app takes them (the binomial's trials: at most ``MAX_TRIALS``), else raise."""
    trials = constants.get("n_trials")
    if trials is not None and trials > MAX_TRIALS:
        got = f"{trials:,}" if trials < 1e15 else f"{float(trials):.3g}"  # not 1e300's 301 digits
        raise ValueError(f"n_trials must be at most {MAX_TRIALS:,} here, got {got}")
    return constants


def _within(parameter: mle_core.Parameter, value: float) -> bool:
    """Whether ``value`` is an allowed value of ``parameter`` (closed ends included)."""
    if not math.isfinite(value):
        return False
    above = value > parameter.lower or (getattr(parameter, "lower_closed", False) and value == parameter.lower)
    below = value < parameter.upper or (getattr(parameter, "upper_closed", False) and value == parameter.upper)
    return above and below


def _scenarios():
    from mle_core.scenarios import SCENARIOS

    return SCENARIOS
