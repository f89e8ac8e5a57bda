"""The state of one explorer session: observations, model parameters and what follows from them.

No views here. Every number the views show is derived in this class from ``mle_core``, so the
app can be driven and tested without a browser.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import param

import mle_core
from mle_core import FitResult, GaussianStatistics

#: The five observations of the seed document's reference code.
EXAMPLE_OBSERVATIONS = (2.3, 1.9, 2.5, 2.8, 1.7)
#: The reference code's starting guess: a poor fit, so that the first thing a student sees is a bad fit.
STARTING_MU, STARTING_SIGMA = 0.0, 1.0
#: How many edits Undo can take back.
UNDO_DEPTH = 200


@dataclass(frozen=True)
class ObservationChange:
    """What the last edit did to ``observations``, so views can update in place.

    ``kind`` is ``"append"`` (``indices`` are the new rows at the end), ``"move"`` (rows changed
    value, same length), ``"remove"`` (``indices`` were deleted), ``"undo"`` (an earlier data set is
    back) or ``"replace"`` (a new data set).
    """

    kind: str
    indices: tuple[int, ...] = ()


def nice_step(width: float) -> float:
    """Return the 1-2-5 × 10ᵏ number closest above ``width`` (a readable slider step)."""
    if not (width > 0 and math.isfinite(width)):
        return 1.0
    exponent = math.floor(math.log10(width))
    for mantissa in (1.0, 2.0, 5.0, 10.0):
        step = mantissa * 10.0**exponent
        if step >= width * (1 - 1e-12):
            return step
    return 10.0 ** (exponent + 1)


def data_spread(stats: GaussianStatistics) -> float:
    """Return the data's scale for sizing sliders: σ̂, or for equal observations a unit (or 1e-3 of |x̄|)."""
    sigma_hat = math.sqrt(stats.sum_sq_dev / stats.n)
    spread = sigma_hat if sigma_hat > 0 else max(1.0, abs(stats.mean) * 1e-3)
    return max(spread, abs(stats.mean) * 1e-12)


def parameter_ranges(stats: GaussianStatistics, mu: float, sigma: float) -> dict[str, tuple]:
    """Return slider ranges ``{"mu": (start, end, step), "sigma": (start, end, step)}``.

    The steps follow the data's spread (so the sliders resolve the likelihood's peak whatever the
    units); the μ range covers x̄ ± 5 spreads and the current μ, the σ range runs from one step up to
    three spreads and the current σ. So the MLE is always reachable, for data near 0, far from it
    (1e8) or spread very wide.
    """
    centre, spread = (stats.mean, data_spread(stats)) if stats.n else (mu, 1.0)
    lower, upper = min(centre - 5 * spread, mu), max(centre + 5 * spread, mu)
    mu_step = nice_step(10 * spread / 500)
    mu_range = (_round_to(lower, 10 * mu_step, math.floor), _round_to(upper, 10 * mu_step, math.ceil))
    sigma_step = nice_step(3 * spread / 300)
    sigma_end = _round_to(max(3 * spread, sigma), 10 * sigma_step, math.ceil)
    return {"mu": (*mu_range, mu_step), "sigma": (sigma_step, sigma_end, sigma_step)}


def _round_to(value: float, unit: float, direction) -> float:
    """Round ``value`` to a multiple of ``unit`` (``math.floor`` or ``math.ceil``), without 0.30000000000000004."""
    digits = max(0, 1 - math.floor(math.log10(unit)))
    return round(direction(value / unit) * unit, digits)


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
            value = float(entry)
        except ValueError:
            raise ValueError(f"entry {position} ({entry!r}) is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"entry {position} ({entry!r}) is not a finite number")
        values.append(value)
    return np.array(values)


class ExplorerState(param.Parameterized):
    """Observations, the Gaussian model's parameters, and the likelihood numbers derived from them.

    Edits go through the methods (``add_observations``, ``move_observation``, ``remove_observations``,
    ``undo``, ``reset_example``, ``clear``), which keep the sufficient statistics up to date, so a new
    (μ, σ) costs no pass over the observations. Appending updates them in O(1) per point; moving or
    removing a point recomputes them in the pass that copies the array anyway, because subtracting a
    point's share leaves a rounding residue that could turn "all observations equal" into a tiny σ̂.
    """

    # --- what the student controls -----------------------------------------------------------
    observations = param.Array(default=np.array(EXAMPLE_OBSERVATIONS), constant=True, doc="The observed data x₁ … xₙ.")
    mu = param.Number(default=STARTING_MU, bounds=(-1.0, 5.0), step=0.01, label="μ (mean)", doc="The model's mean μ.")
    sigma = param.Number(
        default=STARTING_SIGMA,
        bounds=(0.01, 3.0),
        step=0.01,
        label="σ (standard deviation)",
        doc="The model's standard deviation σ (> 0).",
    )

    # --- derived, read-only ------------------------------------------------------------------
    statistics = param.ClassSelector(
        class_=GaussianStatistics, constant=True, doc="Sufficient statistics (n, x̄, S) of the observations."
    )
    log_likelihood = param.Number(default=0.0, constant=True, doc="ℓ(μ, σ) = Σ ln f(xᵢ | μ, σ).")
    mle = param.ClassSelector(
        class_=FitResult, allow_None=True, constant=True, doc="The MLE of the observations (None without data)."
    )
    last_change = param.ClassSelector(
        class_=ObservationChange, constant=True, doc="What the latest edit did to the observations."
    )
    can_undo = param.Boolean(default=False, constant=True, doc="Whether there is an edit to take back.")
    notice = param.String(default="", doc="A short message for the student about the latest action.")

    family = "gaussian"

    def __init__(self, **params):
        observations = mle_core.as_observations(params.pop("observations", EXAMPLE_OBSERVATIONS))
        super().__init__(**params)
        self._undo_stack: list[tuple[np.ndarray, GaussianStatistics]] = []
        self._replace(observations, GaussianStatistics.from_observations(observations), record=False, ranges="reset")

    # --- derived numbers -----------------------------------------------------------------------
    @property
    def n(self) -> int:
        return self.statistics.n

    @property
    def max_log_likelihood(self) -> float | None:
        """ℓ̂ = ℓ(μ̂, σ̂), ``inf`` when unbounded, ``None`` without observations."""
        return None if self.mle is None else self.mle.log_likelihood

    def _log_likelihood(self, stats: GaussianStatistics) -> float:
        # From the sufficient statistics: O(1) whatever the number of observations.
        return mle_core.log_likelihood(self.family, stats, mu=self.mu, sigma=self.sigma)

    @param.depends("mu", "sigma", watch=True)
    def _update_log_likelihood(self):
        with param.edit_constant(self):
            self.log_likelihood = self._log_likelihood(self.statistics)

    # --- editing the observations ---------------------------------------------------------------
    def add_observations(self, values) -> None:
        """Append observations (validated: finite numbers only; on error nothing changes)."""
        new = mle_core.as_observations(values)
        if new.size == 0:
            return
        start = self.n
        stats = self.statistics.add(new[0]) if new.size == 1 else self.statistics.extend(new)
        change = ObservationChange("append", tuple(range(start, start + new.size)))
        self._replace(np.concatenate([self.observations, new]), stats, change=change)

    def move_observation(self, index: int, value: float) -> None:
        """Move observation ``index`` to ``value``."""
        (value,) = mle_core.as_observations([value])
        old = self.observations[index]
        if old == value:
            return
        observations = self.observations.copy()
        observations[index] = value
        stats = GaussianStatistics.from_observations(observations)
        self._replace(observations, stats, change=ObservationChange("move", (int(index),)))

    def remove_observations(self, indices) -> None:
        """Remove the observations at ``indices``."""
        indices = np.unique(np.asarray(indices, dtype=int))
        if indices.size == 0:
            return
        if indices[0] < 0 or indices[-1] >= self.n:
            raise IndexError(f"no observation at index {indices[-1]}: there are {self.n}")
        keep = np.ones(self.n, dtype=bool)
        keep[indices] = False
        observations = self.observations[keep]
        stats = GaussianStatistics.from_observations(observations)
        self._replace(observations, stats, change=ObservationChange("remove", tuple(indices.tolist())))

    def set_observations(self, values) -> None:
        """Replace every observation with ``values`` (validated first; on error nothing changes)."""
        observations = mle_core.as_observations(values)
        self._replace(observations, GaussianStatistics.from_observations(observations), ranges="reset")

    def reset_example(self) -> None:
        """Go back to the seed document's five example observations."""
        self.set_observations(EXAMPLE_OBSERVATIONS)
        self.notice = "Back to the five example observations."

    def clear(self) -> None:
        """Remove every observation."""
        self.set_observations([])
        self.notice = "All observations removed. Click on the plot to add some."

    def undo(self) -> None:
        """Take back the latest edit of the observations."""
        if not self._undo_stack:
            return
        observations, stats = self._undo_stack.pop()
        self._replace(observations, stats, change=ObservationChange("undo"), record=False, ranges="reach")
        self.notice = "Undid the last edit."

    # --- the estimate -----------------------------------------------------------------------
    def mle_parameters(self) -> dict[str, float] | None:
        """Return where Optimize would put the sliders, or None without observations.

        With σ̂ = 0 (one observation, or all equal) there is no finite maximum: σ goes to the
        smallest value its slider allows.
        """
        if self.mle is None:
            return None
        target = dict(self.mle.params)
        if not self.mle.converged:
            # The smallest σ the slider will offer once its range has been fitted to this data.
            data_start = parameter_ranges(self.statistics, target["mu"], self.sigma)["sigma"][0]
            target["sigma"] = min(self.param.sigma.bounds[0], data_start)
        return target

    def optimize(self) -> None:
        """Set μ and σ to the maximum likelihood estimate (μ̂ = x̄, σ̂ = √(S/n))."""
        target = self.mle_parameters()
        if target is None:
            self.notice = "Add at least one observation before optimizing: click on the plot."
            return
        self.set_parameters(**target)
        if self.mle.converged:
            self.notice = "Moved to the maximum likelihood estimate."
        else:
            self.notice = f"{self.mle.message[0].upper()}{self.mle.message[1:]}. σ is at its smallest value."

    def set_parameters(self, mu: float | None = None, sigma: float | None = None) -> None:
        """Set μ and/or σ together (one update), widening the slider ranges if needed."""
        values = self.make_reachable(mu=mu, sigma=sigma)
        self.param.update(values)

    def make_reachable(self, mu: float | None = None, sigma: float | None = None) -> dict[str, float]:
        """Widen the slider ranges so that they contain the given values; return those values as floats."""
        values = {name: float(value) for name, value in (("mu", mu), ("sigma", sigma)) if value is not None}
        self._fit_ranges(include=values)
        return values

    # --- internals --------------------------------------------------------------------------
    def _replace(self, observations, stats, change=None, record=True, ranges="widen") -> None:
        """Publish new observations and what follows from them, in one batch.

        ``ranges``: ``"widen"`` the sliders' ranges to the new data, ``"reset"`` them to it, or, for
        ``"reach"``, reset them only if the new MLE is out of reach. The views' watchers run after
        the ranges are fitted, so they see the final ranges.
        """
        if record:
            self._undo_stack.append((self.observations, self.statistics))
            del self._undo_stack[:-UNDO_DEPTH]
        observations.setflags(write=False)
        fit = mle_core.fit_result(self.family, stats) if stats.n else None
        with param.parameterized.batch_call_watchers(self):
            with param.edit_constant(self):
                self.param.update(
                    observations=observations,
                    statistics=stats,
                    log_likelihood=self._log_likelihood(stats),  # in the same batch: views update once
                    mle=fit,
                    last_change=change or ObservationChange("replace"),
                    can_undo=bool(self._undo_stack),
                    notice="",
                )
            if ranges == "reach":
                ranges = "widen" if self._mle_in_reach() else "reset"
            self._fit_ranges(reset=ranges == "reset")

    def _mle_in_reach(self) -> bool:
        if self.mle is None:
            return True
        return all(
            self.param[name].bounds[0] <= value <= self.param[name].bounds[1] for name, value in self.mle.params.items()
        )

    def _fit_ranges(self, reset: bool = False, include: dict | None = None) -> None:
        """Fit the slider ranges to the observations.

        With ``reset`` the ranges are recomputed from the data (a current value far outside is
        moved in); otherwise they only widen, so a slider never jumps under the student's hand.
        ``include`` names values the ranges must contain (e.g. the target of Optimize).
        """
        if reset:
            wanted = dict(zip(("mu", "sigma"), self._nearby_values(), strict=True))
        else:
            wanted = {"mu": self.mu, "sigma": self.sigma, **(include or {})}
        ranges = parameter_ranges(self.statistics, wanted["mu"], wanted["sigma"])
        for name, (start, end, step) in ranges.items():
            parameter = self.param[name]
            if not reset:
                start, end = min(start, parameter.bounds[0]), max(end, parameter.bounds[1])
                step = min(step, parameter.step)
            if (start, end) != tuple(parameter.bounds) or step != parameter.step:
                parameter.bounds = (start, end)
                parameter.step = step
            current = getattr(self, name)
            if not start <= current <= end:
                setattr(self, name, min(max(wanted[name], start), end))

    def _nearby_values(self) -> tuple[float, float]:
        """The current (μ, σ) if they are within reach of the data, else the data's own centre and spread."""
        stats = self.statistics
        if stats.n == 0:
            return self.mu, self.sigma
        spread = data_spread(stats)
        mu = self.mu if abs(self.mu - stats.mean) <= 20 * spread else stats.mean
        sigma = self.sigma if self.sigma <= 20 * spread else spread
        return mu, sigma
