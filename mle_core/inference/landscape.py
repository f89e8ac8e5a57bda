"""The likelihood landscape: ℓ on a grid of two parameters, along one, a default grid, and why logs.

Surfaces and slices are one broadcast call of the family's ℓ from its sufficient statistics: for
families with fixed-size statistics their cost does not grow with n. ``running_likelihood`` and
``underflow_point`` show the product of densities L vanishing in float64 where ℓ = ln L does not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import Family, Parameter, get_family
from ._numerics import _inverse
from ._space import _admissible, _index, _inside, _mle, _mle_vector, _resolve, _split, _vector
from .derivatives import _derivatives, _standard_errors


def _axis(parameter: Parameter, values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The values as a 1-D float array, where they are admissible, and values safe to evaluate."""
    axis = np.asarray(values, dtype=float)
    if axis.ndim != 1:
        raise ValueError(f"the values of {parameter.name} must be a 1-D array, got shape {axis.shape}")
    ok = np.isfinite(axis) & _admissible(parameter, axis)
    # Outside values are evaluated at the default (inside) and then overwritten with nan: no warnings.
    return axis, ok, np.where(ok, axis, parameter.default)


def _fixed(fam: Family, varying: list[str], others: Mapping[str, Any]) -> dict[str, float]:
    """The parameters held fixed for a surface or slice, checked (``others`` holds no constants)."""
    unknown = sorted(set(others) - set(fam.parameter_names))
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for the {fam.name} family")
    overlap = sorted(set(others) & set(varying))
    if overlap:
        raise ValueError(f"{', '.join(overlap)} given both as an axis and as a fixed value")
    fixed = {}
    for p in fam.parameters:
        if p.name in varying:
            continue
        if p.name not in others:
            raise ValueError(f"give a value for {p.name}: the {fam.name} family needs it to evaluate ℓ")
        fixed[p.name] = p.check(others[p.name])
    return fixed


def log_likelihood_surface(family, data, axes: Mapping[str, Any], **others_and_constants) -> np.ndarray:
    """Return ℓ on the grid of two parameters: ``result[i, j]`` = ℓ(first axis[i], second axis[j]).

    ``axes`` maps two parameter names to 1-D arrays, in the order of the result's dimensions (give
    σ first for an image with σ up the rows); any further parameters are fixed by keywords, next
    to known constants. One broadcast call of the family's ℓ from its statistics: for families
    with fixed-size statistics the cost does not grow with n. Values outside the parameter space
    give nan (without warnings); on a closed end ℓ may be −inf (data impossible there).
    """
    fam = get_family(family)
    others, constants = _split(fam, others_and_constants)
    fam, stats = _resolve(fam, data, constants)
    names = list(axes)
    if len(names) != 2:
        raise ValueError(f"give exactly two axes, got {len(names)}")
    first, second = (fam.parameters[_index(fam, name)] for name in names)
    fixed = _fixed(fam, names, others)
    a, a_ok, a_eval = _axis(first, axes[names[0]])
    b, b_ok, b_eval = _axis(second, axes[names[1]])
    with np.errstate(all="ignore"):
        values = fam.log_likelihood(stats, **{names[0]: a_eval[:, None], names[1]: b_eval[None, :]}, **fixed)
    surface = np.array(np.broadcast_to(np.asarray(values, dtype=float), (a.size, b.size)))
    surface[~(a_ok[:, None] & b_ok[None, :])] = np.nan
    return surface


def log_likelihood_slice(family, data, name: str, values, **others_and_constants) -> np.ndarray:
    """Return ℓ(θ_name = v, others) for each v in the 1-D ``values``; nan outside the parameter space."""
    fam = get_family(family)
    others, constants = _split(fam, others_and_constants)
    fam, stats = _resolve(fam, data, constants)
    parameter = fam.parameters[_index(fam, name)]
    fixed = _fixed(fam, [name], others)
    axis, ok, evaluate = _axis(parameter, values)
    with np.errstate(all="ignore"):
        result = fam.log_likelihood(stats, **{name: evaluate}, **fixed)
    line = np.array(np.broadcast_to(np.asarray(result, dtype=float), axis.shape))
    line[~ok] = np.nan
    return line


def default_grid(
    family, data, theta: Mapping[str, float] | None = None, size: int = 101, spread: float = 4.0, **constants
) -> dict[str, np.ndarray]:
    """Return an axis (``size`` evenly spaced values) for every parameter, for surfaces and slices.

    Each axis spans from ``spread`` standard errors below the lower to as many above the higher of
    θ̂ⱼ and the current θⱼ (if given). An end beyond a bound is pulled in to a tenth of the way from
    the bound to the nearer of those values, so the axis stays strictly inside the space. Without a
    finite MLE (e.g. σ̂ = 0) or a standard error, the spread falls back to the information at θ, or
    to half the magnitude of θⱼ.
    """
    fam, stats = _resolve(family, data, constants)
    if size < 2:
        raise ValueError(f"size must be at least 2, got {size!r}")
    centres: list[np.ndarray] = []
    errors = np.full(len(fam.parameters), np.nan)
    try:
        mle = _mle_vector(fam, _mle(fam, stats))
        centres.append(mle)
        errors = _standard_errors(fam, stats, mle)
    except ValueError:
        pass
    if theta is not None:
        x = _vector(fam, theta)
        centres.append(x)
        if not np.all(np.isfinite(errors)) and all(bool(_inside(p, v)) for p, v in zip(fam.parameters, x, strict=True)):
            _, hessian = _derivatives(fam, stats, x)
            covariance = _inverse(-hessian)
            if covariance is not None:
                errors = np.where(np.isfinite(errors), errors, np.sqrt(np.diag(covariance)))
    if not centres:
        centres.append(np.array([p.default for p in fam.parameters]))
    grid = {}
    for j, p in enumerate(fam.parameters):
        low_centre = min(c[j] for c in centres)
        high_centre = max(c[j] for c in centres)
        half = spread * errors[j] if math.isfinite(errors[j]) and errors[j] > 0 else 0.5 * max(abs(high_centre), 1.0)
        low, high = low_centre - half, high_centre + half
        if not low > p.lower:
            low = p.lower + 0.1 * (low_centre - p.lower) if low_centre > p.lower else p.lower + 0.1 * half
        if not high < p.upper:
            high = p.upper - 0.1 * (p.upper - high_centre) if high_centre < p.upper else p.upper - 0.1 * half
        grid[p.name] = np.linspace(low, high, int(size))
    return grid


# --- why we take logs -----------------------------------------------------------------------------


def running_likelihood(log_densities) -> np.ndarray:
    """Return L_k = f(x₁)·f(x₂)···f(x_k) for k = 1 … n, multiplied in float64 as a naive program would.

    ``log_densities`` are ln f(xᵢ) (e.g. ``mle_core.log_densities``); each factor is exp(ln f(xᵢ)).
    The products underflow to exactly 0.0 (or overflow to inf) long before ℓ = Σ ln f(xᵢ) does:
    that is why ℓ, not L, is what gets maximised.
    """
    terms = np.asarray(log_densities, dtype=float).ravel()
    with np.errstate(all="ignore"):
        return np.cumprod(np.exp(terms))


def underflow_point(log_densities) -> int | None:
    """Return the first k at which L_k (``running_likelihood``) is exactly 0.0 while ℓ_k = Σᵢ≤ₖ ln f(xᵢ) is finite.

    That is the number of observations after which the product of densities can no longer be told
    apart from 0 in float64 (|ℓ| beyond about 745 = −ln 4.9e-324, the smallest subnormal), though
    the log-likelihood still is. None when L never reaches 0, or reaches it through a density that
    is itself 0 (ℓ = −∞ then too).
    """
    terms = np.asarray(log_densities, dtype=float).ravel()
    products = running_likelihood(terms)
    zeros = np.flatnonzero(products == 0.0)
    if zeros.size == 0:
        return None
    k = int(zeros[0])
    with np.errstate(all="ignore"):
        ell = math.fsum(terms[: k + 1].tolist())
    return k + 1 if math.isfinite(ell) else None
