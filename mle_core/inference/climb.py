"""The climb to the maximum, step by step: gradient ascent and Newton's method, each step with its numbers.

A step is halved until it stays inside the parameter space and then until ℓ does not decrease (a
backtracking line search); Newton's matrix is Levenberg-damped where −∂²ℓ is not positive
definite. A ``ClimbStep`` holds every number of its update formula; an app writes them out in its own
words and number format (``mle_explorer.climb``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from .. import Family
from ._numerics import _EPS, _inverse
from ._space import _inside, _log_likelihood, _mapping, _resolve, _vector
from .derivatives import _derivatives


@dataclass(frozen=True)
class ClimbStep:
    """One step of gradient ascent or Newton's method, with every number its update formula uses.

    Gradient ascent:  θ_new = θ + t·η·∇ℓ(θ)         ``direction`` = η·∇ℓ(θ)
    Newton:           θ_new = θ + t·I⁻¹∇ℓ(θ)        ``direction`` = I⁻¹∇ℓ(θ), I = −∂²ℓ(θ)

    ``theta``/``theta_new`` and ``log_likelihood``/``log_likelihood_new``: before and after.
    ``gradient``: ∇ℓ(θ). ``hessian``: ∂²ℓ(θ) (Newton; for gradient ascent the matrix η was chosen
    from, None for a fixed η). ``information``: the matrix Newton inverted, −∂²ℓ(θ) or, when that is
    not positive definite (no ascent direction: the local quadratic has a saddle or a minimum), the
    Levenberg-damped I + λ·diag|I| with ``levenberg`` = λ > 0 (twice the most negative eigenvalue of
    the unit-diagonal scaled I); None for gradient ascent. ``step_size``: η (1 for Newton).
    ``scale`` t starts at 1 and is halved ``halvings_outside`` times until θ_new is inside the
    parameter space, then ``halvings_downhill`` times until ℓ does not decrease; ``note`` says in words
    why a step was damped or changed (its numbers are the fields above). Matrices are tuples of rows, in
    ``family.parameters`` order; ``names``/``symbols`` give that order.
    """

    method: str
    names: tuple[str, ...]
    symbols: tuple[str, ...]
    theta: Mapping[str, float]
    theta_new: Mapping[str, float]
    log_likelihood: float
    log_likelihood_new: float
    gradient: Mapping[str, float]
    hessian: tuple[tuple[float, ...], ...] | None
    information: tuple[tuple[float, ...], ...] | None
    direction: Mapping[str, float]
    step_size: float
    scale: float
    halvings_outside: int
    halvings_downhill: int
    levenberg: float
    note: str

    @property
    def damped(self) -> bool:
        """True when the step was shortened (t < 1) to stay inside the space or to go uphill."""
        return self.halvings_outside > 0 or self.halvings_downhill > 0

    @property
    def delta(self) -> Mapping[str, float]:
        """θ_new − θ for each parameter."""
        return MappingProxyType({n: self.theta_new[n] - self.theta[n] for n in self.names})


def _rows(matrix: np.ndarray | None) -> tuple[tuple[float, ...], ...] | None:
    return None if matrix is None else tuple(tuple(float(v) for v in row) for row in matrix)


def _newton_direction(gradient: np.ndarray, hessian: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, str]:
    """Solve I·d = ∇ℓ with I = −∂²ℓ, Levenberg-damped when I is not positive definite."""
    information = -hessian
    if not (np.all(np.isfinite(information)) and np.all(np.isfinite(gradient))):
        return np.full(gradient.size, np.nan), information, 0.0, "the derivatives are not finite here"
    inverse = _inverse(information)
    if inverse is not None:
        return inverse @ gradient, information, 0.0, ""
    # Not positive definite: the Newton point is a saddle or a minimum of the local quadratic, and
    # stepping to it can go downhill. Scale to unit diagonal so that λ is unit-free, then add just
    # enough to the diagonal (twice the most negative eigenvalue) that I + λ·diag|I| is positive
    # definite: d is then an ascent direction (∇ℓ·d > 0), between Newton's and the gradient's.
    diagonal = np.abs(np.diag(information))
    diagonal[~(diagonal > 0)] = 1.0
    unit = 1.0 / np.sqrt(diagonal)
    smallest = float(np.linalg.eigvalsh(information * unit[:, None] * unit[None, :])[0])
    lam = 2.0 * max(-smallest, 0.0) + 1e-12
    damped = information + lam * np.diag(diagonal)
    inverse = _inverse(damped)
    if inverse is None:  # cannot happen in exact arithmetic; guard against rounding all the same
        lam, damped = lam + 1.0, information + (lam + 1.0) * np.diag(diagonal)
        inverse = _inverse(damped)
    note = "−∂²ℓ is not positive definite here: the Newton step is damped (Levenberg)"
    return inverse @ gradient, damped, lam, note


def _take_step(
    fam: Family,
    stats,
    x: np.ndarray,
    method: str,
    step_size: float,
    gradient: np.ndarray,
    hessian: np.ndarray | None,
    direction: np.ndarray,
    information: np.ndarray | None,
    levenberg: float,
    note: str,
) -> ClimbStep:
    ell = _log_likelihood(fam, stats, x)
    scale, outside, downhill = 1.0, 0, 0
    if not np.all(np.isfinite(direction)):
        scale, new, ell_new = 0.0, x, ell
        note = note or "the step is not finite: no move"
    else:
        params = fam.parameters
        while not all(bool(_inside(p, v)) for p, v in zip(params, x + scale * direction, strict=True)):
            scale *= 0.5
            outside += 1
        new = x + scale * direction
        ell_new = _log_likelihood(fam, stats, new)
        # Accept a step that loses no more than rounding noise; halve otherwise (a backtracking line search).
        floor = ell - 8.0 * _EPS * max(1.0, abs(ell))
        while not ell_new >= floor:
            if downhill == 60:
                scale, new, ell_new = 0.0, x, ell
                note = (note + "; " if note else "") + "no increase of ℓ along this direction: no move"
                break
            scale *= 0.5
            downhill += 1
            new = x + scale * direction
            ell_new = _log_likelihood(fam, stats, new)
        if outside:
            note = (note + "; " if note else "") + f"step halved {outside}× to stay inside the parameter space"
        if downhill and scale > 0:
            note = (note + "; " if note else "") + f"step halved {downhill}× so that ℓ does not decrease"
    return ClimbStep(
        method=method,
        names=fam.parameter_names,
        symbols=tuple(p.symbol for p in fam.parameters),
        theta=_mapping(fam, x),
        theta_new=_mapping(fam, new),
        log_likelihood=ell,
        log_likelihood_new=ell_new,
        gradient=_mapping(fam, gradient),
        hessian=_rows(hessian),
        information=_rows(information),
        direction=_mapping(fam, direction),
        step_size=step_size,
        scale=scale,
        halvings_outside=outside,
        halvings_downhill=downhill,
        levenberg=levenberg,
        note=note,
    )


def _inside_vector(fam: Family, theta: Mapping[str, Any]) -> np.ndarray:
    x = _vector(fam, theta)
    for p, v in zip(fam.parameters, x, strict=True):
        if not bool(_inside(p, v)):
            raise ValueError(f"a climb starts strictly inside the parameter space: {p.name} = {v!r} is on a bound")
    return x


def _curvature_step_size(hessian: np.ndarray) -> float:
    largest = float(np.max(np.abs(np.linalg.eigvalsh(hessian)))) if np.all(np.isfinite(hessian)) else math.nan
    return 1.0 / largest if largest > 0 else math.nan


def gradient_ascent_step(
    family, data, theta: Mapping[str, float], step_size: float | None = None, **constants
) -> ClimbStep:
    """Return one gradient-ascent step θ_new = θ + t·η·∇ℓ(θ), t halved as needed (see ``ClimbStep``).

    η = ``step_size``; if None, η = 1/(largest |eigenvalue| of ∂²ℓ(θ)) (``default_step_size``), and
    the step's ``hessian`` is the matrix it came from.
    """
    fam, stats = _resolve(family, data, constants)
    x = _inside_vector(fam, theta)
    if step_size is not None and not (math.isfinite(float(step_size)) and float(step_size) > 0):
        raise ValueError(f"step_size must be a positive number, got {step_size!r}")
    gradient, hessian = _derivatives(fam, stats, x)
    if step_size is None:
        eta = _curvature_step_size(hessian)
    else:
        eta, hessian = float(step_size), None
    return _take_step(fam, stats, x, "gradient", eta, gradient, hessian, eta * gradient, None, 0.0, "")


def newton_step(family, data, theta: Mapping[str, float], **constants) -> ClimbStep:
    """Return one Newton step θ_new = θ + t·I(θ)⁻¹∇ℓ(θ), I = −∂²ℓ (Levenberg-damped when not positive definite)."""
    fam, stats = _resolve(family, data, constants)
    x = _inside_vector(fam, theta)
    gradient, hessian = _derivatives(fam, stats, x)
    direction, information, levenberg, note = _newton_direction(gradient, hessian)
    return _take_step(fam, stats, x, "newton", 1.0, gradient, hessian, direction, information, levenberg, note)


def default_step_size(family, data, theta: Mapping[str, float], **constants) -> float:
    """Return η = 1/(largest |eigenvalue| of ∂²ℓ(θ)): the gradient step that is stable near θ.

    A gradient step multiplies the error along an eigenvector of curvature c by (1 − ηc): η = 1/c_max
    does not overshoot in the steepest direction, and does not depend on the units of the data.
    nan where the curvature is not available.
    """
    fam, stats = _resolve(family, data, constants)
    _, hessian = _derivatives(fam, stats, _inside_vector(fam, theta))
    return _curvature_step_size(hessian)


class Climb(NamedTuple):
    """The steps of a climb (``ClimbStep``s), whether it converged, and where it ended.

    ``converged``: the last step moved ℓ by at most tol·max(1, |ℓ|) and every parameter by at most
    tol·(1 + |θⱼ|). ``step_size``: the fixed η of gradient ascent, or None (Newton, or gradient
    ascent with η chosen from the curvature at every step; each step records its own η).
    """

    method: str
    steps: tuple[ClimbStep, ...]
    converged: bool
    theta: Mapping[str, float]
    log_likelihood: float
    step_size: float | None
    message: str


def climb(
    family,
    data,
    theta: Mapping[str, float] | None,
    method: str = "newton",
    step_size: float | None = None,
    max_steps: int = 500,
    tol: float = 1e-10,
    **constants,
) -> Climb:
    """Climb ℓ from ``theta`` (the parameters' defaults if None) by "newton" or "gradient" steps.

    Stops after the first step with |Δℓ| ≤ tol·max(1, |ℓ|) and |Δθⱼ| ≤ tol·(1 + |θⱼ|) for every j
    (converged), or after ``max_steps`` steps, or when the derivatives cannot be computed. Gradient
    ascent uses the fixed η = ``step_size`` if given, else η = 1/(largest |eigenvalue| of ∂²ℓ) at each
    step (a fixed η tuned to the start crawls once the curvature changes).
    """
    fam, stats = _resolve(family, data, constants)
    if theta is None:
        theta = {p.name: p.default for p in fam.parameters}
    if method not in ("newton", "gradient"):
        raise ValueError(f"method must be 'newton' or 'gradient', got {method!r}")
    steps: list[ClimbStep] = []
    current = dict(theta)
    converged = False
    message = f"stopped after {max_steps} steps without meeting the tolerance"
    for _ in range(max_steps):
        if method == "newton":
            step = newton_step(fam, stats, current)
        else:
            step = gradient_ascent_step(fam, stats, current, step_size)
        steps.append(step)
        if not (math.isfinite(step.step_size) and all(math.isfinite(v) for v in step.direction.values())):
            message = step.note or "the derivatives are not finite here"
            break
        small_gain = abs(step.log_likelihood_new - step.log_likelihood) <= tol * max(1.0, abs(step.log_likelihood))
        small_move = all(abs(step.delta[n]) <= tol * (1.0 + abs(step.theta[n])) for n in step.names)
        current = dict(step.theta_new)
        if small_gain and small_move:
            converged, message = True, ""
            break
    final = _vector(fam, current)
    eta = float(step_size) if method == "gradient" and step_size is not None else None
    return Climb(
        method, tuple(steps), converged, _mapping(fam, final), _log_likelihood(fam, stats, final), eta, message
    )
