"""Profile likelihoods and confidence intervals for one parameter: Wald's θ̂ ± z·SE and the profile interval.

ℓ_p(v) = max over the other parameters of ℓ(θⱼ = v, …): in closed form where the family declares it
(``Family.profile``), otherwise ℓ itself (one parameter) or Brent's maximiser over the other one.
The profile interval {v : ℓ̂ − ℓ_p(v) ≤ χ²₁(level)/2} is found by bracketing and Brent's root
finder in the parameter's free coordinate, so it never leaves the parameter space.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import Family, FitResult
from .._family import bound_text
from ._numerics import (
    _bracket_maximum,
    _find_root,
    _free_per_unit,
    _from_free,
    _maximize_on,
    _to_free,
    _z_for_level,
    chi2_1_quantile,
)
from ._space import _admissible, _index, _inside, _log_likelihood, _mle, _mle_vector, _resolve
from .derivatives import _standard_errors


class _Profile:
    """ℓ_p(v) = max over the other parameters of ℓ(θⱼ = v, …), with the maximiser.

    The family's closed form where it declares one (``Family.profile``; the Gaussian's). Otherwise,
    one parameter: ℓ itself; two: Brent's maximiser over the other parameter, in its free coordinate
    (log or logit of the distance to its bounds).
    """

    def __init__(self, fam: Family, stats, j: int, fit: FitResult):
        self.fam, self.stats, self.j = fam, stats, j
        self.mle = _mle_vector(fam, fit)
        k = self.mle.size
        self.name = fam.parameter_names[j]
        if fam.profile is not None:
            self.kind = "closed form"
        elif k == 1:
            self.kind = "direct"
        elif k == 2:
            self.kind = "maximise"
            other = 1 - j
            parameter = fam.parameters[other]
            se = _standard_errors(fam, stats, self.mle)[other]
            start = self.mle[other]
            per_unit = _free_per_unit(parameter, start) if _inside(parameter, start) else math.nan
            self.step = se * per_unit if math.isfinite(se * per_unit) and se * per_unit > 0 else 0.5
            if not bool(_inside(parameter, start)):
                start = parameter.default
            self.start = _to_free(parameter, start)
        else:
            raise NotImplementedError(
                f"profile likelihoods are implemented for families of up to two parameters; {fam.name} has {k}"
            )

    def __call__(self, v: float) -> tuple[float, np.ndarray]:
        fam, stats, j = self.fam, self.stats, self.j
        if not bool(_admissible(fam.parameters[j], v)):
            return math.nan, np.full(self.mle.size, np.nan)
        if self.kind == "closed form":
            try:
                value, theta = fam.profile(stats, self.name, v)
            except (ValueError, ZeroDivisionError, OverflowError):
                return math.nan, np.full(self.mle.size, np.nan)
            return float(value), np.asarray(theta, dtype=float)
        if self.kind == "direct":
            theta = np.array([v])
            return _log_likelihood(fam, stats, theta), theta
        other = 1 - j
        parameter = fam.parameters[other]
        theta = self.mle.copy()
        theta[j] = v

        def objective(u: float) -> float:
            theta[other] = _from_free(parameter, u)
            if not bool(_inside(parameter, theta[other])):
                return -math.inf
            value = _log_likelihood(fam, stats, theta)
            return value if not math.isnan(value) else -math.inf

        low, high = _bracket_maximum(objective, self.start, self.step)
        # A billionth of the nuisance's standard error: ℓ is then within ~1e-18·ℓ'' of its maximum.
        u = _maximize_on(objective, low, high, xtol=1e-9 * abs(self.step))
        best = objective(u)
        return best, theta.copy()


def profile_log_likelihood(family, data, name: str, values, **constants) -> np.ndarray:
    """Return ℓ_p(v) = max over the other parameters of ℓ(θ_name = v, …) for each v in ``values``.

    Same shape as ``values``; nan outside the parameter space. For a one-parameter family ℓ_p = ℓ.
    """
    fam, stats = _resolve(family, data, constants)
    profile = _Profile(fam, stats, _index(fam, name), _mle(fam, stats))
    points = np.asarray(values, dtype=float)
    return np.array([profile(float(v))[0] for v in points.ravel()], dtype=float).reshape(points.shape)


# --- intervals ------------------------------------------------------------------------------------


class Interval(NamedTuple):
    """A confidence interval for one parameter.

    ``method`` is "wald" (θ̂ ± z·SE) or "profile" ({v : ℓ̂ − ℓ_p(v) ≤ χ²₁(level)/2}).
    ``critical_value`` is z for Wald and the drop χ²₁(level)/2 for profile. ``lower_at_bound`` /
    ``upper_at_bound``: a profile end is the parameter's bound (the likelihood never drops far
    enough before it, e.g. p̂ = 0 with all tails). ``leaves_parameter_space``: the Wald interval
    reaches past a bound (σ's can go below 0). ``message`` explains nan ends.
    """

    name: str
    method: str
    level: float
    estimate: float
    lower: float
    upper: float
    critical_value: float
    standard_error: float = math.nan
    lower_at_bound: bool = False
    upper_at_bound: bool = False
    leaves_parameter_space: bool = False
    message: str = ""


def wald_interval(family, data, name: str, level: float = 0.95, **constants) -> Interval:
    """Return θ̂ⱼ ± z·SE(θ̂ⱼ), z = Φ⁻¹((1 + level)/2) (1.959964 for 95 %), not clipped to the parameter space.

    Being symmetric it can leave the parameter space: for σ the lower end is σ̂(1 − z/√(2n)),
    below 0 when z > √(2n) (at 99 %, for n ≤ 3); ``leaves_parameter_space`` says so.
    """
    fam, stats = _resolve(family, data, constants)
    j = _index(fam, name)
    x = _mle_vector(fam, _mle(fam, stats))
    z = _z_for_level(level)
    se = float(_standard_errors(fam, stats, x)[j])
    estimate = float(x[j])
    if not math.isfinite(se):
        message = "no standard error: the MLE lies on a bound or the observed information is not positive definite"
        return Interval(name, "wald", level, estimate, math.nan, math.nan, z, se, message=message)
    lower, upper = estimate - z * se, estimate + z * se
    parameter = fam.parameters[j]
    leaves = not (bool(_admissible(parameter, lower)) and bool(_admissible(parameter, upper)))
    message = f"the interval reaches outside {parameter.interval}" if leaves else ""
    return Interval(name, "wald", level, estimate, lower, upper, z, se, leaves_parameter_space=leaves, message=message)


_SIDE = {-1.0: "lower", 1.0: "upper"}


def profile_interval(family, data, name: str, level: float = 0.95, **constants) -> Interval:
    """Return {v : ℓ̂ − ℓ_p(v) ≤ χ²₁(level)/2}, the profile-likelihood interval (1.920729… for 95 %).

    Each end is bracketed by stepping out from θ̂ⱼ in the parameter's free coordinate (steps of one
    standard error, doubling), so the search never leaves the parameter space, then found by Brent's
    method to ~1e-12 relative. If ℓ_p never drops that far before a bound, the bound is the end and
    ``lower_at_bound``/``upper_at_bound`` say so. Being likelihood-based it respects the space:
    its σ interval is always inside (0, ∞) and asymmetric.
    """
    fam, stats = _resolve(family, data, constants)
    j = _index(fam, name)
    fit = _mle(fam, stats)
    profile = _Profile(fam, stats, j, fit)
    parameter = fam.parameters[j]
    estimate = float(profile.mle[j])
    drop = chi2_1_quantile(level) / 2.0
    # ℓ̂ by the same arithmetic as ℓ_p, so that the drop is 0 at θ̂ⱼ itself.
    top = profile(estimate)[0]

    def excess(v: float) -> float:
        value = top - profile(v)[0] - drop
        return math.inf if math.isnan(value) else value

    se = float(_standard_errors(fam, stats, profile.mle)[j])
    ends, at_bound, notes = [], [], []
    for side in (-1.0, 1.0):
        bound = parameter.lower if side < 0 else parameter.upper
        if estimate == bound:
            ends.append(bound)
            at_bound.append(True)
            notes.append(
                f"{parameter.symbol}̂ = {bound_text(bound)} lies on the bound, which is then the {_SIDE[side]} end"
            )
            continue
        # From an MLE on the other bound (p̂ = 0 with all tails) start one float inside it.
        start = estimate if bool(_inside(parameter, estimate)) else math.nextafter(estimate, bound)
        u_hat = _to_free(parameter, start)
        step = se * _free_per_unit(parameter, estimate) if math.isfinite(se) else math.nan
        if not (math.isfinite(step) and step > 0):
            step = 1.0 if not (math.isinf(parameter.lower) and math.isinf(parameter.upper)) else max(abs(estimate), 1)

        # March outward in the free coordinate with doubling steps; a step that lands outside the
        # space (rounded onto the bound) is bisected back, so a profile that keeps rising toward a
        # bound is followed right up to it (p̂ = 0: the upper end can be anywhere in (0, 1)).
        def excess_at(u: float) -> float:
            return excess(_from_free(parameter, u))

        inner, inner_excess, u_inner = estimate, -drop, u_hat
        outer_excess = u_outer = u_outside = None
        for _ in range(4000):
            if u_outside is None:
                step *= 2.0
                u = u_inner + side * step / 2.0
            else:
                u = 0.5 * (u_inner + u_outside)
                if u in (u_inner, u_outside):
                    break
            candidate = _from_free(parameter, u)
            if math.isinf(candidate) or not bool(_inside(parameter, candidate)):
                u_outside = u
                continue
            if candidate == inner:
                if u_outside is not None:
                    break
                continue
            value = excess(candidate)
            if value >= 0.0:
                u_outer, outer_excess = u, value
                break
            inner, inner_excess, u_inner = candidate, value, u
        if u_outer is None:
            ends.append(bound)
            at_bound.append(True)
            notes.append(
                f"ℓ_p does not drop by {drop:.3g} before {bound_text(bound)}, which is then the {_SIDE[side]} end"
            )
            continue
        # ℓ_p = −∞ (excess = ∞) at the outer point: bisect until it is finite, for the root finder.
        for _ in range(200):
            if math.isfinite(outer_excess):
                break
            middle = 0.5 * (u_inner + u_outer)
            value = excess_at(middle)
            if value >= 0.0:
                u_outer, outer_excess = middle, value
            else:
                u_inner, inner_excess = middle, value
        # The root in the free coordinate: there a tolerance of 1e-13 is 1e-13 relative to the distance
        # from the bound (log, logit). In the identity coordinate (μ) it is 1e-13 of the distance from
        # θ̂ⱼ, not of |v|: for μ ≈ 1e8 with σ = 1e-3 the interval is only 1e-12 of |v| wide.
        identity = math.isinf(parameter.lower) and math.isinf(parameter.upper)
        xtol = 1e-13 * abs(u_outer - u_hat) if identity else 1e-13
        root = _find_root(excess_at, u_inner, u_outer, inner_excess, outer_excess, xtol=xtol)
        ends.append(_from_free(parameter, root))
        at_bound.append(False)
    return Interval(
        name, "profile", level, estimate, ends[0], ends[1], drop, se, at_bound[0], at_bound[1], False, "; ".join(notes)
    )
