"""Derivatives of ℓ: the score ∇ℓ(θ), the observed information −∂²ℓ(θ) and the standard errors at θ̂.

A family that declares ``Family.derivatives`` (the Gaussian) gets its closed form; every other
family, and any θ on a closed bound, goes through Ridders' method: central differences of ℓ from
the sufficient statistics at steps halving from level to level, extrapolated by Richardson, all
points of one call evaluated in one broadcast call of the family's ℓ.
"""

from __future__ import annotations

import math

import numpy as np

from .. import Family, get_family
from ._numerics import _EPS, _inverse
from ._space import _inside, _mle, _mle_vector, _named, _resolve, _split, _vector

#: Central differences are taken at steps h₀·2⁻ᵐ for m = 0 … _LEVELS − 1, where h₀ is up to 2¹⁶ times
#: a tenth of the parameter's magnitude (capped at half the distance to a bound): wide enough to
#: find the scale on which ℓ varies even when |θ| says nothing about it (μ = 0, or μ = 1e8 with
#: σ = 1e-3). Each derivative is then extrapolated over consecutive levels (Richardson, in h²) and
#: the entry with the smallest error estimate is kept (Ridders' method).
_GROW_LEVELS = 16
_LEVELS = 60
_TABLEAU_COLUMNS = 6
#: A level is used only where ℓ's difference exceeds its rounding noise ε·|ℓ| by this factor (so
#: that the difference quotient carries at most ~1e-8 relative rounding error): otherwise the
#: smallest-error selection could trust two noisy quotients that agree by chance.
_SIGNAL_TO_NOISE = 1e8


def _richardson(values: np.ndarray, rounding: np.ndarray) -> np.ndarray:
    """Extrapolate columns of D(h₀·2⁻ᵐ) (rows m) to h → 0; nan rows are levels not to be used.

    Tableau T[m, j] = (4ʲ T[m, j−1] − T[m−1, j−1]) / (4ʲ − 1) with error estimate
    max(|T[m, j] − T[m, j−1]|, |T[m, j] − T[m−1, j−1]|, 2·rounding[m]); the estimate with the smallest
    error wins. ``rounding[m]`` is the rounding error of level m's quotients (~ε|ℓ|/hᵏ): without it, two
    noisy quotients at tiny steps that round to the same value (their error estimate then 0) would win.
    """
    levels, quantities = values.shape
    columns = np.arange(quantities)
    best = np.full(quantities, np.nan)
    best_error = np.full(quantities, np.inf)
    # A lone usable level (no neighbour to extrapolate with) is better than nothing.
    for q in columns:
        finite = np.flatnonzero(np.isfinite(values[:, q]))
        if finite.size:
            best[q] = values[finite[0], q]
    previous = values
    factor = 1.0
    for j in range(1, min(_TABLEAU_COLUMNS, levels)):
        factor *= 4.0
        current = np.full_like(values, np.nan)
        current[j:] = (factor * previous[j:] - previous[j - 1 : -1]) / (factor - 1.0)
        error = np.full_like(values, np.inf)
        error[j:] = np.maximum(np.abs(current[j:] - previous[j:]), np.abs(current[j:] - previous[j - 1 : -1]))
        error[j:] = np.maximum(error[j:], 2.0 * rounding[j:])
        error[~np.isfinite(error)] = np.inf
        rows = np.argmin(error, axis=0)
        candidate_error = error[rows, columns]
        better = candidate_error < best_error
        best[better] = current[rows, columns][better]
        best_error[better] = candidate_error[better]
        previous = current
    return best


def _evaluate(fam: Family, stats, points: np.ndarray) -> np.ndarray:
    """ℓ at each row of ``points`` (one column per parameter), in one broadcast call."""
    values = fam.log_likelihood(stats, **{name: points[:, j] for j, name in enumerate(fam.parameter_names)})
    return np.broadcast_to(np.asarray(values, dtype=float), (points.shape[0],))


def _power_of_two_below(value: np.ndarray) -> np.ndarray:
    """The largest power of two ≤ value (elementwise; 0 where value is not positive and finite)."""
    value = np.asarray(value, dtype=float)
    ok = np.isfinite(value) & (value > 0)
    return np.where(ok, np.exp2(np.floor(np.log2(np.where(ok, value, 1.0)))), 0.0)


def _taken(centre: float, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points θ + h, θ − h as rounded, the steps actually taken, and where to trust them.

    Where θ ± h carries into a neighbouring binade the two steps can differ by an ulp of θ; the
    difference quotients below use the steps actually taken, and a level counts only where they
    agree to 1e-6 (Richardson assumes steps halving from level to level).
    """
    plus, minus = centre + steps, centre - steps
    up, down = plus - centre, centre - minus
    ok = (up > 0) & (down > 0) & (np.abs(up - down) <= 1e-6 * steps)
    return up, down, ok


def _numeric_derivatives(fam: Family, stats, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∇ℓ and ∂²ℓ by Richardson-extrapolated central differences (Ridders' method), vectorised.

    With steps a = h₊ up and b = h₋ down (equal up to rounding; powers of two):
    ∂ℓ/∂θⱼ ≈ [b²ℓ(θ + a eⱼ) − a²ℓ(θ − b eⱼ) − (b² − a²)ℓ(θ)] / [ab(a + b)],
    ∂²ℓ/∂θⱼ² ≈ 2[bℓ(θ + a eⱼ) + aℓ(θ − b eⱼ) − (a + b)ℓ(θ)] / [ab(a + b)],
    ∂²ℓ/∂θᵢ∂θⱼ ≈ [ℓ(++) − ℓ(+−) − ℓ(−+) + ℓ(−−)] / [(aᵢ + bᵢ)(aⱼ + bⱼ)]: exact for quadratics, with
    errors even in h (for a = b), so Richardson applies. Every point lies strictly inside the
    parameter space (steps ≤ half the distance to a bound). nan where no step gave a usable
    difference (e.g. θ on a closed bound).
    """
    k = x.size
    params = fam.parameters
    room = np.array([min(x[j] - p.lower, p.upper - x[j]) for j, p in enumerate(params)])
    if not np.all(room > 0):
        return np.full(k, np.nan), np.full((k, k), np.nan)
    # The largest step, 0.1·max(|θ|, 1)·2^G capped at half the room, computed without overflowing for |θ| ≳ 1e303.
    scale, cap = 0.1 * np.maximum(np.abs(x), 1.0), 0.5 * room
    with np.errstate(over="ignore"):
        top = _power_of_two_below(np.where(scale <= cap * 2.0**-_GROW_LEVELS, scale * 2.0**_GROW_LEVELS, cap))
    steps = top[None, :] * 2.0 ** -np.arange(_LEVELS)[:, None]  # (levels, k)
    blocks = [x[None, :]]
    for j in range(k):
        for sign in (1.0, -1.0):
            block = np.repeat(x[None, :], _LEVELS, axis=0)
            block[:, j] += sign * steps[:, j]
            blocks.append(block)
    with np.errstate(all="ignore"):
        values = _evaluate(fam, stats, np.concatenate(blocks))
        f0 = values[0]
        first, second, first_rounding, second_rounding = [], [], [], []
        for j in range(k):
            plus = values[1 + 2 * j * _LEVELS : 1 + (2 * j + 1) * _LEVELS]
            minus = values[1 + (2 * j + 1) * _LEVELS : 1 + (2 * j + 2) * _LEVELS]
            a, b, agree = _taken(x[j], steps[:, j])
            # The formulas above divided through by b² (t = a/b ≈ 1): ab(a + b) itself under- or
            # overflows once |θ| passes ~1e±100 (a standard error of nan for data in units of 1e150).
            t = a / b
            d1 = (plus - t * t * minus - (1.0 - t * t) * f0) / (a * (1.0 + t))
            d2 = 2.0 * (plus + t * minus - (1.0 + t) * f0) / a / (a + b)
            h = steps[:, j]
            noise = _SIGNAL_TO_NOISE * _EPS * np.maximum(np.maximum(abs(f0), np.abs(plus)), np.abs(minus))
            usable = np.isfinite(d1) & np.isfinite(d2) & agree
            curved = usable & (np.abs(d2) * h * h > noise)
            # The rounding error of the first difference quotient, ~ε|ℓ|/h, must be small next to
            # the slope, or (near the maximum, where the slope is ~0) next to √|∂²ℓ| — the slope at
            # which ℓ changes by one unit over a standard error.
            sloped = usable & (noise / (2.0 * h) < np.maximum(np.abs(d1), np.sqrt(np.abs(d2))))
            first.append(np.where(sloped, d1, np.nan))
            second.append(np.where(curved, d2, np.nan))
            first_rounding.append(noise / _SIGNAL_TO_NOISE / h)
            second_rounding.append(4.0 * noise / _SIGNAL_TO_NOISE / (h * h))
        estimates = _richardson(np.column_stack(first + second), np.column_stack(first_rounding + second_rounding))
    # A curvature below the smallest normal float (n/λ² for data in units of 1e-155) has lost its digits
    # to underflow; inverted, it made a standard error of inf. It is unknown, like one no step resolved.
    curvature = estimates[k:]
    estimates[k:] = np.where(np.abs(curvature) < np.finfo(np.float64).tiny, np.nan, curvature)
    gradient = estimates[:k].copy()
    hessian = np.diag(estimates[k:])
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    if not pairs:
        return gradient, hessian
    # Mixed differences on each parameter's own scale: steps c·uᵢ and c·uⱼ with u ≈ 1/√|∂²ℓ/∂θ²|
    # (where ℓ changes by ~c²/2 along each axis; a power of two), c = 4 … 2⁻⁴⁰, capped so both stay
    # within half the distance to their bounds. A level is usable where c² (the size of the cross
    # difference for a correlation of 1) exceeds the rounding noise of the four values.
    with np.errstate(all="ignore"):
        unit = _power_of_two_below(1.0 / np.sqrt(np.abs(np.diag(hessian))))
    size = _LEVELS - _GROW_LEVELS
    blocks, mixed_steps = [], []
    for i, j in pairs:
        with np.errstate(all="ignore"):
            cap = min(4.0, 0.5 * room[i] / unit[i], 0.5 * room[j] / unit[j])
        cap = float(_power_of_two_below(cap)) if math.isfinite(cap) else 0.0
        factors = cap * 2.0 ** -np.arange(size)
        hi, hj = factors * unit[i], factors * unit[j]
        mixed_steps.append((hi, hj))
        for si, sj in ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)):
            block = np.repeat(x[None, :], size, axis=0)
            block[:, i] += si * hi
            block[:, j] += sj * hj
            blocks.append(block)
    with np.errstate(all="ignore"):
        values = _evaluate(fam, stats, np.concatenate(blocks))
        columns, roundings = [], []
        for number, (i, j) in enumerate(pairs):
            base = 4 * number * size
            corners = np.array([values[base + s * size : base + (s + 1) * size] for s in range(4)])
            hi, hj = mixed_steps[number]
            ai, bi, agree_i = _taken(x[i], hi)
            aj, bj, agree_j = _taken(x[j], hj)
            cross = corners[0] - corners[1] - corners[2] + corners[3]
            noise = _SIGNAL_TO_NOISE * _EPS * np.max(np.abs(corners), axis=0)
            ok = np.isfinite(cross) & agree_i & agree_j & (hi * hj / (unit[i] * unit[j]) > noise)
            columns.append(np.where(ok, cross / ((ai + bi) * (aj + bj)), np.nan))
            roundings.append(4.0 * noise / _SIGNAL_TO_NOISE / ((ai + bi) * (aj + bj)))
        mixed = _richardson(np.column_stack(columns), np.column_stack(roundings))
    for number, (i, j) in enumerate(pairs):
        hessian[i, j] = hessian[j, i] = mixed[number]
    return gradient, hessian


def _derivatives(fam: Family, stats, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∇ℓ(θ) and ∂²ℓ(θ): the family's closed form where it declares one and θ is inside, else numeric."""
    if fam.derivatives is not None and getattr(stats, "n", 1) > 0:
        values = x.tolist()  # Python floats: this runs at every step of a climb
        if all(p.lower < v < p.upper for p, v in zip(fam.parameters, values, strict=True)):
            gradient, hessian = fam.derivatives(stats, **dict(zip(fam.parameter_names, values, strict=True)))
            return np.asarray(gradient, dtype=float), np.asarray(hessian, dtype=float)
    return _numeric_derivatives(fam, stats, x)


def _expected_information(fam: Family, stats, x: np.ndarray) -> np.ndarray:
    """The Fisher information n·i(θ) from the family's closed form; ``ValueError`` where it has none."""
    if fam.expected_information is None:
        raise ValueError(f"the expected information of the {fam.name} family is not known here: use 'observed'")
    return np.asarray(fam.expected_information(stats, **_named(fam, x)), dtype=float)


def score(family, data, **theta_and_constants) -> dict[str, float]:
    """Return the score ∇ℓ(θ): parameter name → ∂ℓ/∂θⱼ at θ.

    In closed form where the family declares one (``Family.derivatives``; the Gaussian's
    ∂ℓ/∂μ = Σ(xᵢ − μ)/σ², ∂ℓ/∂σ = −n/σ + Σ(xᵢ − μ)²/σ³), from the statistics; otherwise
    Richardson-extrapolated central differences of ℓ (about 1e-9 relative). nan on a closed bound of
    the parameter space, where no two-sided difference exists. Known constants (the binomial's
    ``n_trials``) go with the parameters when ``data`` are observations.
    """
    fam = get_family(family)
    theta, constants = _split(fam, theta_and_constants)
    fam, stats = _resolve(fam, data, constants)
    gradient, _ = _derivatives(fam, stats, _vector(fam, theta))
    return dict(zip(fam.parameter_names, gradient.tolist(), strict=True))


def observed_information(family, data, **theta_and_constants) -> np.ndarray:
    """Return the observed information J(θ) = −∂²ℓ/∂θ∂θᵀ as a k × k array (rows in ``family.parameters`` order).

    For the Gaussian, at the MLE it is diag(n/σ̂², 2n/σ̂²); elsewhere it can fail to be positive
    definite (far from the maximum ℓ need not be concave). Closed form or numeric, as ``score``.
    """
    fam = get_family(family)
    theta, constants = _split(fam, theta_and_constants)
    fam, stats = _resolve(fam, data, constants)
    _, hessian = _derivatives(fam, stats, _vector(fam, theta))
    return -hessian


def _standard_errors(fam: Family, stats, x: np.ndarray) -> np.ndarray:
    if not all(bool(_inside(p, v)) for p, v in zip(fam.parameters, x, strict=True)):
        return np.full(x.size, np.nan)  # an MLE on a bound: no two-sided curvature there
    _, hessian = _derivatives(fam, stats, x)
    covariance = _inverse(-hessian)
    if covariance is None:
        return np.full(x.size, np.nan)
    return np.sqrt(np.diag(covariance))


def standard_errors(family, data, **constants) -> dict[str, float]:
    """Return SE(θ̂ⱼ) = √[J(θ̂)⁻¹]ⱼⱼ, the square roots of the diagonal of the inverse observed information at the MLE.

    Gaussian: SE(μ̂) = σ̂/√n, SE(σ̂) = σ̂/√(2n). nan when the MLE lies on a bound or J(θ̂) is not
    positive definite. Raises ``ValueError`` when there is no finite MLE (e.g. σ̂ = 0).
    """
    fam, stats = _resolve(family, data, constants)
    x = _mle_vector(fam, _mle(fam, stats))
    return dict(zip(fam.parameter_names, _standard_errors(fam, stats, x).tolist(), strict=True))
