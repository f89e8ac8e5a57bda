"""Tests of one parameter's null hypothesis θⱼ = θ₀, the others unrestricted: likelihood ratio, Wald, score.

All three are χ²₁ under the null (asymptotically): LR = 2[ℓ(θ̂) − ℓ_p(θ₀)] needs both fits, Wald's
W = (θ̂ⱼ − θ₀)²/SE² only the unrestricted one, Rao's score statistic only the restricted one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from .. import Family
from ._numerics import chi2_1_sf
from ._space import _admissible, _index, _mapping, _mle, _mle_vector, _resolve
from .derivatives import _derivatives, _expected_information, _standard_errors
from .intervals import _Profile


class HypothesisTestResult(NamedTuple):
    """A test of the null hypothesis θ_name = ``null_value``, the other parameters unrestricted.

    ``statistic`` ~ χ²_df under the null (asymptotically); ``p_value`` = P(χ²_df ≥ statistic).
    ``estimate`` is the unrestricted MLE θ̂, ``restricted`` the restricted MLE θ̃ (θ_name fixed at
    the null value, the others maximised; None for the Wald test, which needs only θ̂).
    ``information`` is "observed" or "expected" (score and Wald tests), "" otherwise.
    """

    test: str
    name: str
    null_value: float
    statistic: float
    df: int
    p_value: float
    estimate: Mapping[str, float]
    restricted: Mapping[str, float] | None
    information: str = ""
    message: str = ""


def _null(fam: Family, name: str, null_value) -> tuple[int, float]:
    j = _index(fam, name)
    value = float(null_value)
    if not bool(_admissible(fam.parameters[j], value)):
        raise ValueError(f"the null value of {name} must lie in the parameter space {fam.parameters[j].interval}")
    return j, value


def likelihood_ratio_test(family, data, name: str, null_value: float, **constants) -> HypothesisTestResult:
    """Return the likelihood-ratio test: LR = 2[ℓ(θ̂) − ℓ_p(θ₀)] on 1 degree of freedom, p = erfc(√(LR/2))."""
    fam, stats = _resolve(family, data, constants)
    j, value = _null(fam, name, null_value)
    fit = _mle(fam, stats)
    profile = _Profile(fam, stats, j, fit)
    top = profile(float(profile.mle[j]))[0]
    restricted_value, restricted = profile(value)
    # Rounding can leave ℓ_p(θ₀) a hair above ℓ̂ when θ₀ ≈ θ̂; the statistic is ≥ 0 by definition.
    statistic = max(2.0 * (top - restricted_value), 0.0)
    return HypothesisTestResult(
        "likelihood ratio",
        name,
        value,
        statistic,
        1,
        chi2_1_sf(statistic),
        _mapping(fam, profile.mle),
        _mapping(fam, restricted),
    )


def wald_test(family, data, name: str, null_value: float, **constants) -> HypothesisTestResult:
    """Return the Wald test: W = (θ̂ⱼ − θ₀)² / SE(θ̂ⱼ)², SE from the observed information at θ̂; p = erfc(√(W/2))."""
    fam, stats = _resolve(family, data, constants)
    j, value = _null(fam, name, null_value)
    x = _mle_vector(fam, _mle(fam, stats))
    se = float(_standard_errors(fam, stats, x)[j])
    message = "" if math.isfinite(se) else "no standard error at the MLE (on a bound, or information not positive)"
    # Standardised first, in Python floats: (θ̂ − θ₀)² overflowed (with a warning) for θ₀ = 1e308.
    z = float(x[j] - value) / se if math.isfinite(se) else math.nan
    statistic = z * z
    return HypothesisTestResult(
        "wald", name, value, float(statistic), 1, chi2_1_sf(statistic), _mapping(fam, x), None, "observed", message
    )


def score_test(
    family, data, name: str, null_value: float, information: str | None = None, **constants
) -> HypothesisTestResult:
    """Return Rao's score test at the restricted MLE θ̃: S = Uⱼ*² / Iⱼⱼ*, p = erfc(√(S/2)).

    U = ∇ℓ(θ̃) and I the information at θ̃; with N the other parameters, the efficient score is
    Uⱼ* = Uⱼ − I_jN I_NN⁻¹ U_N (U_N ≈ 0 at θ̃) and the efficient information Iⱼⱼ* = Iⱼⱼ − I_jN I_NN⁻¹ I_Nj.
    ``information``: "expected" (Fisher, where the family declares it in closed form,
    ``Family.expected_information``: for the Gaussian S for μ₀ is n(x̄ − μ₀)²/σ̃²) or "observed"
    (−∂²ℓ, for any family; it need not be positive far from θ̂, and S is then nan). Default:
    expected where known, else observed.
    """
    fam, stats = _resolve(family, data, constants)
    j, value = _null(fam, name, null_value)
    fit = _mle(fam, stats)
    profile = _Profile(fam, stats, j, fit)
    _, restricted = profile(value)
    if information is None:
        information = "expected" if fam.expected_information is not None else "observed"
    if information not in ("expected", "observed"):
        raise ValueError(f"information must be 'expected' or 'observed', got {information!r}")
    gradient, hessian = _derivatives(fam, stats, restricted)
    matrix = _expected_information(fam, stats, restricted) if information == "expected" else -hessian
    others = [i for i in range(restricted.size) if i != j]
    u_j, i_jj = gradient[j], matrix[j, j]
    if others:
        i_nn = matrix[np.ix_(others, others)]
        i_jn = matrix[j, others]
        try:
            solved = np.linalg.solve(i_nn, np.column_stack([gradient[others], i_jn]))
        except np.linalg.LinAlgError:
            solved = np.full((len(others), 2), np.nan)
        u_j = u_j - i_jn @ solved[:, 0]
        i_jj = i_jj - i_jn @ solved[:, 1]
    message = ""
    if not (math.isfinite(i_jj) and i_jj > 0 and math.isfinite(u_j)):
        statistic = math.nan
        message = f"the efficient {information} information at the restricted MLE is not positive ({i_jj:.3g})"
    else:
        z = float(u_j) / math.sqrt(float(i_jj))  # standardised first: Uⱼ² overflowed for data at ±1e150
        statistic = z * z
    return HypothesisTestResult(
        "score",
        name,
        value,
        statistic,
        1,
        chi2_1_sf(statistic),
        _mapping(fam, profile.mle),
        _mapping(fam, restricted),
        information,
        message,
    )
