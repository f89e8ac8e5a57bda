"""Numerics every layer of ``mle_core.inference`` shares, in pure Python and numpy (no scipy).

- the χ²₁ distribution: ``chi2_1_sf`` and ``chi2_1_quantile``;
- one-dimensional solvers: Brent's root finder, Brent's bounded maximiser and an outward bracketing;
- free coordinates, which map a parameter's interval onto the whole real line for those solvers;
- the inverse of a symmetric positive definite matrix (or None).

The app runs as a static Pyodide page, which should not have to download scipy to show a
confidence interval: hence these few algorithms written out here.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import numpy as np

from .._family import Parameter

_EPS = sys.float_info.epsilon
_INVPHI = (math.sqrt(5.0) - 1.0) / 2.0  # 1/φ, the golden-section ratio


# --- χ²₁ distribution without scipy ------------------------------------------------------------------


def chi2_1_sf(x: float) -> float:
    """Return P(X ≥ x) for X ~ χ²₁: erfc(√(x/2)), since X = Z² with Z standard normal."""
    x = float(x)
    if math.isnan(x):
        return math.nan
    if x <= 0.0:
        return 1.0
    return math.erfc(math.sqrt(x / 2.0))


def chi2_1_quantile(level: float) -> float:
    """Return q with P(X ≤ q) = ``level`` for X ~ χ²₁: z², where erfc(z/√2) = 1 − level.

    ``chi2_1_quantile(0.95)`` = 3.841458820694124…; half of it, 1.920729…, is the drop in ℓ that
    bounds a 95 % profile-likelihood interval.
    """
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    alpha = 1.0 - level
    # erfc(z/√2) falls from 1 at z = 0 to ~1e-314 at z = 38; for the levels a student picks the root
    # is well inside, and Brent's method finds it to the last bits.
    z = _find_root(lambda z: math.erfc(z / math.sqrt(2.0)) - alpha, 0.0, 38.0, xtol=1e-15)
    return z * z


def _z_for_level(level: float) -> float:
    return math.sqrt(chi2_1_quantile(level))


# --- pure-Python one-dimensional solvers ------------------------------------------------------------


def _find_root(
    f: Callable[[float], float],
    a: float,
    b: float,
    fa: float | None = None,
    fb: float | None = None,
    xtol: float = 0.0,
    maxiter: int = 200,
) -> float:
    """Brent's zeroin: a root of ``f`` in [a, b], where f(a) and f(b) have opposite signs.

    Inverse quadratic interpolation where it behaves, bisection where it does not: never slower
    than bisection, superlinear near a simple root. Stops when the bracket is below
    2ε|b| + ``xtol``/2 (Brent 1973, ch. 4; the netlib ``zeroin`` algorithm).
    """
    fa = f(a) if fa is None else fa
    fb = f(b) if fb is None else fb
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    if (fa > 0.0) == (fb > 0.0):
        raise ValueError("the root is not bracketed: f(a) and f(b) have the same sign")
    c, fc = a, fa
    d = e = b - a
    for _ in range(maxiter):
        if (fb > 0.0) == (fc > 0.0):
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = 2.0 * _EPS * abs(b) + 0.5 * xtol
        m = 0.5 * (c - b)
        if abs(m) <= tol or fb == 0.0:
            return b
        if abs(e) >= tol and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:  # secant
                p, q = 2.0 * m * s, 1.0 - s
            else:  # inverse quadratic interpolation
                q, r = fa / fc, fb / fc
                p = s * (2.0 * m * q * (q - r) - (b - a) * (r - 1.0))
                q = (q - 1.0) * (r - 1.0) * (s - 1.0)
            if p > 0.0:
                q = -q
            p = abs(p)
            if 2.0 * p < 3.0 * m * q - abs(tol * q) and p < abs(0.5 * e * q):
                e, d = d, p / q
            else:
                d = e = m
        else:
            d = e = m
        a, fa = b, fb
        b += d if abs(d) > tol else math.copysign(tol, m)
        fb = f(b)
    return b


def _maximize_on(f: Callable[[float], float], a: float, b: float, xtol: float) -> float:
    """Brent's fmin applied to −f: the maximiser of a unimodal ``f`` on [a, b], to within ``xtol``.

    Golden-section steps with parabolic interpolation through the three best points
    (Brent 1973, ch. 5; the netlib ``fmin`` algorithm). The netlib tolerance √ε·|x| assumes the
    function varies on the scale of |x|; a nuisance parameter μ ≈ 1e8 with σ = 1e-3 does not, so
    the caller gives an absolute ``xtol`` on the scale of the bracket instead (plus 2ε|x|).
    """
    c = 1.0 - _INVPHI  # (3 − √5)/2
    x = w = v = a + c * (b - a)
    fx = fw = fv = -f(x)
    d = e = 0.0
    for _ in range(500):
        xm = 0.5 * (a + b)
        tol1 = 2.0 * _EPS * abs(x) + xtol / 3.0
        tol2 = 2.0 * tol1
        if abs(x - xm) <= tol2 - 0.5 * (b - a):
            break
        golden = True
        if abs(e) > tol1:
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = 2.0 * (q - r)
            if q > 0.0:
                p = -p
            q = abs(q)
            r, e = e, d
            if abs(p) < abs(0.5 * q * r) and q * (a - x) < p < q * (b - x):
                d = p / q
                u = x + d
                if u - a < tol2 or b - u < tol2:
                    d = math.copysign(tol1, xm - x)
                golden = False
        if golden:
            e = (a - x) if x >= xm else (b - x)
            d = c * e
        u = x + (d if abs(d) >= tol1 else math.copysign(tol1, d))
        fu = -f(u)
        if fu <= fx:
            if u >= x:
                a = x
            else:
                b = x
            v, fv, w, fw, x, fx = w, fw, x, fx, u, fu
        else:
            if u < x:
                a = u
            else:
                b = u
            if fu <= fw or w == x:
                v, fv, w, fw = w, fw, u, fu
            elif fu <= fv or v in (x, w):
                v, fv = u, fu
    return x


def _bracket_maximum(f: Callable[[float], float], x0: float, step: float, max_expansions: int = 200):
    """Return (a, b) with the maximiser of a unimodal ``f`` inside, searching outward from ``x0``.

    Steps grow by the golden ratio (as in Numerical Recipes' ``mnbrak``) until f turns down. If it
    never does (the supremum is approached at ±∞ of this coordinate) the last interval is returned.
    """
    f0 = f(x0)
    forward = f(x0 + step)
    if not forward > f0:
        backward = f(x0 - step)
        if not backward > f0:
            return x0 - step, x0 + step
        step = -step
        forward = backward
    a, b, fb = x0, x0 + step, forward
    for _ in range(max_expansions):
        step *= 1.0 + _INVPHI
        c = b + step
        fc = f(c)
        if not fc > fb:
            return (a, c) if a < c else (c, a)
        a, b, fb = b, c, fc
    return (a, b) if a < b else (b, a)


# Coordinates that map a parameter's open interval onto the whole real line, so that a 1-D search
# (the nuisance maximiser, the bracketing of a profile interval) can roam freely and never step out:
# identity for (−∞, ∞), log(x − lower) for (lower, ∞), log(upper − x) for (−∞, upper), logit otherwise.


def _to_free(parameter: Parameter, x: float) -> float:
    lo, hi = parameter.lower, parameter.upper
    if math.isinf(lo) and math.isinf(hi):
        return x
    if math.isinf(hi):
        return math.log(x - lo)
    if math.isinf(lo):
        return math.log(hi - x)
    return math.log(x - lo) - math.log(hi - x)


def _from_free(parameter: Parameter, u: float) -> float:
    lo, hi = parameter.lower, parameter.upper
    if math.isinf(lo) and math.isinf(hi):
        return u
    if math.isinf(hi):
        return lo + math.exp(min(u, 709.0))
    if math.isinf(lo):
        return hi - math.exp(min(u, 709.0))
    return lo + (hi - lo) / (1.0 + math.exp(min(-u, 709.0)))


def _free_per_unit(parameter: Parameter, x: float) -> float:
    """du/dx of the free coordinate: turns a standard error in x into a step in u."""
    lo, hi = parameter.lower, parameter.upper
    if math.isinf(lo) and math.isinf(hi):
        return 1.0
    if math.isinf(hi):
        return 1.0 / (x - lo)
    if math.isinf(lo):
        return 1.0 / (hi - x)
    return (hi - lo) / ((x - lo) * (hi - x))


def _inverse(matrix: np.ndarray) -> np.ndarray | None:
    """The inverse of a symmetric positive definite matrix, or None if it is not one."""
    if not np.all(np.isfinite(matrix)):
        return None
    try:
        lower = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return None
    inverse_lower = np.linalg.inv(lower)
    return inverse_lower.T @ inverse_lower
