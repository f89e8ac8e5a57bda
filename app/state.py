"""The state of one explorer session: the family, its parameters, the observations and what follows.

No views here. Every number the views show is derived in this class from ``mle_core``, so the
app can be driven and tested without a browser.

The model's parameters live on ``state.model``, a small ``param.Parameterized`` built from the
family's own declaration (one ``param.Number`` per declared parameter, with its symbol, bounds and
default), so sliders come from ``FloatSlider.from_param(state.model.param[name])`` whatever the
family, and switching family swaps that object.
"""

from __future__ import annotations

import enum
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
from mle_core._observations import MAX_MAGNITUDE, MAX_MAGNITUDE_TEXT

from .numbers import number
from .parsing import exact_text, short_quote
from .presentation import presentation
from .slider_ranges import allowed_value, nearby_values, parameter_ranges

#: The label of the box where values are typed, and how the app's messages tell a keyboard user to add data.
TYPED_VALUES_BOX = "Type or paste values"
TYPED_VALUES_LABEL = f"{TYPED_VALUES_BOX} (a dot for decimals), then Enter"
ADD_BY_KEYBOARD = f"type values in the “{TYPED_VALUES_BOX}” box"

#: The example: the five observations of the seed document's reference code, under its family, from its
#: starting guess μ = 0, σ = 1 (a poor fit, so that the first thing a student sees is a bad fit).
EXAMPLE_FAMILY = "gaussian"
EXAMPLE_OBSERVATIONS = (2.3, 1.9, 2.5, 2.8, 1.7)
EXAMPLE_START = {"mu": 0.0, "sigma": 1.0}
#: How many edits Undo can take back.
UNDO_DEPTH = 200
#: How many draws "draw a new sample" allows (the plot switches to a histogram past 1,000).
MAX_SAMPLE_SIZE = 100_000


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


def family_needs(family: mle_core.Family, constants: dict) -> str:
    """Return what ``family`` takes as observations with these ``constants``, for a message about the ones it
    refused: e.g. "the Binomial (successes in m trials) family needs … (m = 10 here)"."""
    symbols = {c.name: c.symbol for c in family.constants}
    here = "".join(f" ({symbols.get(name, name)} = {value:,} here)" for name, value in constants.items())
    return f"the {family.label} family needs {family.support}{here}"


def why_not_an_observation(family: mle_core.Family, constants: dict, value: float) -> str | None:
    """Return why ``value`` cannot be an observation of ``family`` with these ``constants``, or None if it can.

    The reason names the rule, not the value: callers say which value broke it (the number typed, or the
    observation a drag would have moved), e.g. "observations must be finite numbers".
    """
    if not math.isfinite(value):
        return "observations must be finite numbers"
    if abs(value) > MAX_MAGNITUDE:
        return f"observations must lie within ±{MAX_MAGNITUDE_TEXT}"
    if mle_core.outside_support(family, [value], **constants).size:
        return family_needs(family, constants)
    return None


def _listed(values: np.ndarray, indices: np.ndarray, limit: int = 5) -> str:
    shown = ", ".join(f"{number(values[i])} (#{i + 1})" for i in indices[:limit])
    more = len(indices) - limit
    return shown + (f" and {more} more" if more > 0 else "")


# --- what an edit publishes ----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DataSet:
    """A family, its known constants, the observations and their statistics: what every edit publishes.

    ``summary`` holds the observations' count, mean and spread (Gaussian statistics, whatever the family): the
    slider ranges are sized from it.
    """

    family: mle_core.Family
    constants: dict
    observations: np.ndarray
    statistics: object
    summary: GaussianStatistics

    @classmethod
    def of(cls, family: mle_core.Family, constants: dict, observations: np.ndarray, statistics=None, summary=None):
        """The data set of validated ``observations``; statistics not given are computed in one pass."""
        if statistics is None:
            statistics = family.statistics(observations, **constants)
        if summary is None:
            summary = (
                statistics
                if isinstance(statistics, GaussianStatistics)
                else GaussianStatistics._from_valid(observations)
            )
        observations.setflags(write=False)
        return cls(family, dict(constants), observations, statistics, summary)


@dataclass(frozen=True)
class DataOrigin:
    """Where the observations came from, when the app knows: a scenario, or the true parameters of a draw."""

    scenario: str = ""
    true_parameters: dict | None = None


class Ranges(enum.Enum):
    """How new data move the sliders' ranges."""

    #: Only grow, so that a slider never jumps under the student's hand (an added or moved point).
    WIDEN = "widen"
    #: Fit them to the new data (a new data set, a new family): a value far outside comes to its estimate.
    RESET = "reset"
    #: Fit them anew only if the new estimate is out of reach (Undo brings back an earlier data set).
    REACH = "reach"


@dataclass(frozen=True, eq=False)
class _Snapshot:
    """The state before an edit, as Undo restores it: the data set, θ, where the data came from, and whether the
    answer was shown."""

    data: DataSet
    theta: dict
    origin: DataOrigin
    answer_shown: bool = False


class ExplorerState(param.Parameterized):
    """The family, its parameters, the observations, and the likelihood numbers derived from them.

    Edits go through the methods (``add_observations``, ``move_observation``, ``remove_observations``,
    ``undo``, ``reset_example``, ``clear``, ``switch_family``, ``load_scenario``, ``draw_sample``),
    which keep the sufficient statistics up to date, so a new parameter value costs no pass over the
    observations. Appending updates them in O(1) per point; moving or removing a point recomputes
    them in the pass that copies the array anyway, because subtracting a point's share leaves a
    rounding residue that could turn "all observations equal" into a tiny σ̂.

    θ is kept in one place, ``model`` (the sliders' parameters); ``theta`` reads it, and ``theta_changed``
    fires after it changed, once ℓ has been recomputed.

    **Try first.** The student moves the sliders before seeing the answer, so ``answer_shown`` starts False and
    the views then hide what gives θ̂ away: the best-fit curve, θ̂ and ℓ̂ in the readout, the ★ of θ̂ and the
    regions around it on the surface, the intervals, tests and σ̂-versus-s table of "How sure?" (all about θ̂),
    and the truth the data were simulated from (the green curve, the ◆ and the true values: they are what θ̂
    estimates). What stays is what the student's own moves produce: ℓ at the sliders and how far below its
    maximum it is (a hot/cold cue that says how close, not where), the slices and the surface's colours (the
    hill the student climbs), a climb's path, L vs ℓ, each point's ln f, and "Compare families" (a family's ℓ̂
    is no θ̂, and the cue already tells ℓ̂ − ℓ). ``optimize``, a climb that converges and ``show_answer`` (the
    "Show the best fit" toggle) reveal it.

    New data hide it again: a scenario, a drawn sample, the example data, an upload, a link, Clear all, and a
    family switch (a new model has a new answer). Edits of the data in view (adding, moving or removing a point,
    the binomial's m) keep it as it is, so that a student can watch the revealed fit follow the data. Undo
    brings it back as it was before the edit undone. ``show_answer(keep=True)`` (``?answer=shown`` in the
    page's address, or the "Show the best fit" toggle pressed by hand) keeps it shown for every data set, for a
    teacher in front of a class; releasing the toggle hides it and ends that.
    """

    # --- what the student controls -----------------------------------------------------------
    family = param.String(default=EXAMPLE_FAMILY, constant=True, doc="The name of the model's family.")
    constants = param.Dict(default={}, constant=True, doc="Known constants of the family (binomial: n_trials).")
    model = param.ClassSelector(
        class_=ModelParameters, constant=True, doc="θ: one param.Number per parameter, the sliders' values."
    )
    observations = param.Array(default=np.array(EXAMPLE_OBSERVATIONS), constant=True, doc="The observed data x₁ … xₙ.")

    # --- derived, read-only ------------------------------------------------------------------
    theta_changed = param.Event(doc="Fires when θ has changed (read it from ``theta``), with ℓ already recomputed.")
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
    answer_shown = param.Boolean(
        default=False, constant=True, doc="Whether the best fit (θ̂, ℓ̂, its curve) and the truth are shown."
    )
    answer_kept = param.Boolean(
        default=False, constant=True, doc="Whether the answer stays shown for new data (a teacher's choice)."
    )
    notice = param.String(default="", doc="A short message for the student about the latest action.")

    def __init__(self, rng: np.random.Generator | int | None = None, **params):
        family = mle_core.get_family(params.pop("family", EXAMPLE_FAMILY))
        constants = {c.name: c.default for c in family.constants}
        constants.update(params.pop("constants", {}))
        observations = self._validate(family, constants, params.pop("observations", EXAMPLE_OBSERVATIONS))
        theta = params.pop("theta", None)
        super().__init__(**params)
        self._rng = np.random.default_rng(rng)
        self._undo_stack: list[_Snapshot] = []
        self._model_watcher = None
        self._summary: GaussianStatistics | None = None
        if theta is None and family.name == EXAMPLE_FAMILY and tuple(observations) == EXAMPLE_OBSERVATIONS:
            theta = EXAMPLE_START
        self._publish(
            DataSet.of(family, constants, observations), ObservationChange("replace"), theta=theta, record=False
        )

    # --- derived numbers -----------------------------------------------------------------------
    @property
    def n(self) -> int:
        return int(self.observations.size)

    @property
    def theta(self) -> dict[str, float]:
        """θ: parameter name → the sliders' current value, in the family's declaration order."""
        return self.model.values

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
        with param.parameterized.batch_call_watchers(self), param.edit_constant(self):
            self.param.update(log_likelihood=self._log_likelihood(self.statistics), theta_changed=True)

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
        self._replace(
            np.concatenate([self.observations, new]),
            change,
            statistics=stats,
            summary=summary,
            ranges=Ranges.WIDEN if start else Ranges.RESET,
        )

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
            # (a snapped count, 10³⁰⁸) keep their digits, as four figures could round them onto a bound (10⁹).
            if not math.isfinite(value):
                shown = exact_text(value)  # nan, inf: what was sent
            else:
                shown = number(value, resolution=1.0 if value.is_integer() else None)
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
        self._replace(observations, ObservationChange("replace"), ranges=Ranges.RESET)

    def reset_example(self) -> None:
        """Go back to the seed document's five example observations, under its family (one Undo step)."""
        if self.family == EXAMPLE_FAMILY:
            self.set_observations(EXAMPLE_OBSERVATIONS)
        else:
            family = mle_core.get_family(EXAMPLE_FAMILY)
            example = DataSet.of(family, {}, self._validate(family, {}, EXAMPLE_OBSERVATIONS))
            self._publish(example, ObservationChange("replace"), theta=EXAMPLE_START)
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
            snapshot.data,
            ObservationChange("undo"),
            theta=snapshot.theta,
            ranges=Ranges.REACH,
            origin=snapshot.origin,
            record=False,
            answer_shown=snapshot.answer_shown,
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
            limits = presentation(family.name).constant_limits
            for constant in family.constants:
                if constants[constant.name] == limits.get(constant.name):
                    support += f" (at most {limits[constant.name]:,} {constant.description} here)"
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
        self._publish(DataSet.of(family, constants, observations), ObservationChange("family"), ranges=Ranges.RESET)
        self.notice = f"Switched to the {family.label} family; the sliders are its parameters."
        return True

    def keep_family(self) -> None:
        """Dismiss a refused switch."""
        with param.edit_constant(self):
            self.param.update(refused_switch=None, notice="")

    def set_constant(self, name: str, value) -> None:
        """Set a known constant of the family (binomial: ``n_trials``); refused if the data do not allow it."""
        family = self.family_spec
        spec = {c.name: c for c in family.constants}
        if name not in spec:
            raise ValueError(f"the {self.family} family has no constant {name!r}")
        constants = _within_app_limits(family, {**self.constants, name: int(spec[name].check(value))})
        observations = self._validate(family, constants, self.observations)
        self._publish(DataSet.of(family, constants, observations), ObservationChange("family"), theta=self.theta)

    def _constants_for(self, family) -> dict:
        """The new family's constants: the current ones where they apply, else defaults wide enough for the data."""
        constants = {c.name: self.constants.get(c.name, c.default) for c in family.constants}
        covering = presentation(family.name).constants_covering
        # Larger counts than the app takes are then outside the support, and the switch is refused naming them.
        return covering(self.observations, constants) if covering is not None else constants

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
        self.notice = f"Loaded “{scenario.title}”. Move the sliders to make ℓ as large as you can, then press Optimize."

    def load(self, family: str, observations, constants=None, theta=None, scenario: str = "", truth=None) -> None:
        """Replace family, constants, observations and parameter values at once (one Undo step).

        Everything is validated first; on error nothing changes.
        """
        spec = mle_core.get_family(family)
        full = {c.name: c.default for c in spec.constants}
        full.update(constants or {})
        full = {c.name: int(c.check(full[c.name])) if c.integer else c.check(full[c.name]) for c in spec.constants}
        full = _within_app_limits(spec, full)
        observations = self._validate(spec, full, observations)
        theta = dict(theta or {})
        if theta:
            spec.check_params({**{p.name: p.default for p in spec.parameters}, **theta})
        self._publish(
            DataSet.of(spec, full, observations),
            ObservationChange("replace"),
            theta=theta,
            ranges=Ranges.RESET,
            origin=DataOrigin(scenario, truth),
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
            DataSet.of(family, self.constants, observations),
            ObservationChange("replace"),
            theta=self.theta,
            ranges=Ranges.RESET,
            origin=DataOrigin(true_parameters=truth),
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
            if not allowed_value(p, value):
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
        self.show_answer()
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

    def show_answer(self, keep: bool = False) -> None:
        """Show the best fit, θ̂, ℓ̂ and the truth; with ``keep``, for every data set from now on (a teacher's choice)."""
        with param.edit_constant(self):
            self.param.update(answer_shown=True, answer_kept=self.answer_kept or keep)

    def hide_answer(self) -> None:
        """Hide the answer again (and stop keeping it shown), so that a student can try first."""
        with param.edit_constant(self):
            self.param.update(answer_shown=False, answer_kept=False)

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

    # --- publishing an edit -------------------------------------------------------------------
    @staticmethod
    def _validate(family, constants, values) -> np.ndarray:
        return family.validate_observations(mle_core.as_observations(values), **constants)

    def _replace(self, observations, change, statistics=None, summary=None, ranges=Ranges.WIDEN) -> None:
        """Publish new observations for the current family (statistics recomputed unless given)."""
        data = DataSet.of(self.family_spec, self.constants, observations, statistics, summary)
        self._publish(data, change, ranges=ranges)

    def _publish(
        self,
        data: DataSet,
        change: ObservationChange,
        *,
        theta: dict | None = None,
        ranges: Ranges = Ranges.WIDEN,
        origin: DataOrigin = DataOrigin(),
        record: bool = True,
        answer_shown: bool | None = None,
    ) -> None:
        """Publish a data set and everything that follows from it, in one batch: the views update once.

        ``theta`` are the parameter values to keep (a new family starts from its defaults); ``ranges`` how
        the sliders' ranges follow the new data; ``origin`` where the data came from; ``record`` whether
        Undo can take this edit back; ``answer_shown`` whether the answer is shown afterwards (None: hidden
        for a new data set or family, as it was otherwise; see the class's docstring). The views' watchers
        run after the ranges are fitted, so they see the final ranges.
        """
        if record:
            self._remember_for_undo()
        model, theta_before = self._model_for(data.family), self.model.values if self.model is not None else None
        if model is not self.model:
            ranges = Ranges.RESET  # a new family's sliders start from its own ranges
        if answer_shown is None:
            answer_shown = self.answer_shown and not (change.kind == "replace" or model is not self.model)
        fit = mle_core.fit_result(data.family, data.statistics) if data.observations.size else None
        with param.parameterized.batch_call_watchers(self), param.edit_constant(self):
            self.answer_shown = answer_shown or self.answer_kept
            self._install_model(model)
            self._install_data(data, fit, change, origin)
            kept = self._kept(theta, data.family)
            self._fit_ranges(reset=self._resets(ranges), include=kept)
            if kept:
                model.param.update(kept)  # within the ranges just fitted
            # In the same batch: the views update once, with the final values.
            self.param.update(log_likelihood=self._log_likelihood(data.statistics))
            if model.values != theta_before:
                self.param.update(theta_changed=True)

    def _remember_for_undo(self) -> None:
        """Push the state as it is now, for Undo (the newest ``UNDO_DEPTH`` edits are kept)."""
        self._undo_stack.append(
            _Snapshot(
                DataSet(self.family_spec, self.constants, self.observations, self.statistics, self._summary),
                self.theta,
                DataOrigin(self.scenario, self.true_parameters),
                self.answer_shown,
            )
        )
        del self._undo_stack[:-UNDO_DEPTH]

    def _model_for(self, family: mle_core.Family) -> ModelParameters:
        """The sliders' parameters for ``family``: the current ones, or a new set with the family's defaults."""
        if self.model is not None and self.model.family_name == family.name:
            return self.model
        return model_parameters_class(family.name)()

    def _install_model(self, model: ModelParameters) -> None:
        """Make ``model`` the one θ (only when it is a new object: param counts any two Parameterized as changed,
        and the sliders are rebuilt when ``model`` changes)."""
        if model is self.model:
            return
        if self._model_watcher is not None:
            self.model.param.unwatch(self._model_watcher)
        names = list(mle_core.get_family(model.family_name).parameter_names)
        self._model_watcher = model.param.watch(self._on_model, names)
        self.model = model

    def _install_data(self, data: DataSet, fit: FitResult | None, change: ObservationChange, origin: DataOrigin):
        """Set the data set, its fit, what changed and where it came from (inside ``_publish``'s batch)."""
        self._summary = data.summary
        self.param.update(
            family=data.family.name,
            constants=dict(data.constants),
            observations=data.observations,
            statistics=data.statistics,
            mle=fit,
            last_change=change,
            can_undo=bool(self._undo_stack),
            refused_switch=None,
            scenario=origin.scenario,
            true_parameters=None if origin.true_parameters is None else dict(origin.true_parameters),
            notice="",
        )

    def _resets(self, ranges: Ranges) -> bool:
        """Whether the ranges are fitted anew (else they only widen)."""
        if ranges is Ranges.REACH:
            return not self._mle_in_reach()
        return ranges is Ranges.RESET

    @staticmethod
    def _kept(theta: dict | None, family: mle_core.Family) -> dict[str, float]:
        """The values of ``theta`` that are parameters of ``family``, as floats."""
        return {name: float(value) for name, value in (theta or {}).items() if name in family.parameter_names}

    def _mle_in_reach(self) -> bool:
        if self.mle is None:
            return True
        return all(
            self.model.param[name].bounds[0] <= value <= self.model.param[name].bounds[1]
            for name, value in self.mle.params.items()
        )

    def _fit_ranges(self, reset: bool = False, include: dict | None = None) -> None:
        """Fit the slider ranges to the observations (the policy: ``app.slider_ranges``).

        With ``reset`` the ranges are recomputed from the data (a current value far outside is
        moved in); otherwise they only widen, so a slider never jumps under the student's hand.
        ``include`` names values the ranges must contain (e.g. the target of Optimize).
        """
        family = self.family_spec
        estimate = dict(self.mle.params) if self.mle is not None else None
        wanted = nearby_values(family, self._summary, self.model.values, estimate) if reset else self.model.values
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


def _within_app_limits(family: mle_core.Family, constants: dict) -> dict:
    """Return ``constants`` if the app takes them (the binomial's trials: at most 100,000), else raise."""
    symbols = {c.name: c.symbol for c in family.constants}
    for name, limit in presentation(family.name).constant_limits.items():
        value = constants.get(name)
        if value is not None and value > limit:
            got = f"{value:,}" if value < 1e15 else number(float(value))  # not 1e300's 301 digits
            raise ValueError(f"{symbols.get(name, name)} must be at most {limit:,} here, got {got}")
    return constants


def _scenarios():
    from mle_core.scenarios import SCENARIOS

    return SCENARIOS
