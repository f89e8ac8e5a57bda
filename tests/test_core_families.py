"""Tests of the Bernoulli, binomial, Poisson, exponential and Weibull families of ``mle_core``.

The oracle throughout is ``scipy.stats`` (``logpmf``/``logpdf``, ``fit``), an independent
implementation, or a hand calculation. Property tests draw data and parameter values with
hypothesis, including the edges of the parameter space (p = 0 or 1, λ = 0).
"""

from __future__ import annotations

import decimal
import math
import re
import subprocess
import sys
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import stats

import mle_core
from mle_core import (
    BernoulliStatistics,
    FamilyComparison,
    Parameter,
    WeibullStatistics,
)

COIN = [1, 1, 0, 1, 1, 1, 0, 1, 0, 1]  # the seed document's seven heads in ten flips
NEW_FAMILIES = ("bernoulli", "binomial", "poisson", "exponential", "weibull")


@contextmanager
def no_warnings():
    """Turn every warning into an error, whichever module issues it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def scipy_log_pmf_or_pdf(family: str, x, params: dict, constants: dict | None = None) -> np.ndarray:
    """ln f(xᵢ | θ) by scipy.stats: the oracle for every family here."""
    x = np.asarray(x, dtype=float)
    constants = constants or {}
    if family == "bernoulli":
        return stats.bernoulli.logpmf(x, params["p"])
    if family == "binomial":
        return stats.binom.logpmf(x, constants.get("n_trials", 10), params["p"])
    if family == "poisson":
        return stats.poisson.logpmf(x, params["rate"])
    if family == "exponential":
        return stats.expon.logpdf(x, scale=1.0 / params["rate"])
    if family == "weibull":
        return stats.weibull_min.logpdf(x, params["shape"], scale=params["scale"])
    if family == "gaussian":
        return stats.norm.logpdf(x, params["mu"], params["sigma"])
    raise AssertionError(family)


def assert_sum_close(ours: float, terms: np.ndarray, rel: float) -> None:
    """ours ≈ Σ terms, relative to the natural scale Σ|terms| of the sum (terms of both signs may cancel)."""
    reference = math.fsum(terms)
    if not math.isfinite(reference):
        assert ours == reference
        return
    scale = max(abs(reference), math.fsum(np.abs(terms)), 1e-300)
    assert abs(ours - reference) <= rel * scale, (ours, reference)


# --- hypothesis strategies -----------------------------------------------------------------------

probabilities = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(min_value=0.0, max_value=1.0))
interior_probabilities = st.floats(min_value=1e-9, max_value=1 - 1e-9)
positive = st.floats(min_value=1e-4, max_value=1e5)


@st.composite
def bernoulli_cases(draw):
    data = draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=1, max_size=200))
    return "bernoulli", data, {"p": draw(probabilities)}, {}


@st.composite
def binomial_cases(draw):
    n_trials = draw(st.one_of(st.integers(1, 60), st.integers(2001, 5000)))
    data = draw(st.lists(st.integers(0, n_trials), min_size=1, max_size=200))
    return "binomial", [float(v) for v in data], {"p": draw(probabilities)}, {"n_trials": n_trials}


@st.composite
def poisson_cases(draw):
    data = draw(st.lists(st.integers(0, 1000), min_size=1, max_size=200))
    rate = draw(st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=2e3)))
    return "poisson", [float(v) for v in data], {"rate": rate}, {}


@st.composite
def exponential_cases(draw):
    data = draw(st.lists(positive, min_size=1, max_size=200))
    return "exponential", data, {"rate": draw(st.floats(min_value=1e-5, max_value=1e4))}, {}


@st.composite
def weibull_cases(draw):
    data = draw(st.lists(positive, min_size=1, max_size=200))
    shape = draw(st.floats(min_value=0.05, max_value=30.0))
    scale = draw(st.floats(min_value=1e-3, max_value=1e5))
    return "weibull", data, {"shape": shape, "scale": scale}, {}


any_case = st.one_of(bernoulli_cases(), binomial_cases(), poisson_cases(), exponential_cases(), weibull_cases())


# --- the registry and the contract ---------------------------------------------------------------


def test_families_are_registered_in_order_with_their_parameters():
    assert list(mle_core.FAMILIES) == ["gaussian", "bernoulli", "binomial", "poisson", "exponential", "weibull"]
    expected = {
        "gaussian": ("mu", "sigma"),
        "bernoulli": ("p",),
        "binomial": ("p",),
        "poisson": ("rate",),
        "exponential": ("rate",),
        "weibull": ("shape", "scale"),
    }
    for name, family in mle_core.FAMILIES.items():
        assert family.name == name
        assert family.parameter_names == expected[name]
        assert family.label
        assert family.support
        assert all(p.symbol and p.description for p in family.parameters + family.constants)
        assert family.discrete is (name in ("bernoulli", "binomial", "poisson"))
        assert family.constant_names == (("n_trials",) if name == "binomial" else ())
        for p in family.parameters:
            assert p.contains(p.default)


def test_n_trials_is_an_integer_constant_with_default_10():
    (n_trials,) = mle_core.get_family("binomial").constants
    assert n_trials.name == "n_trials"
    assert n_trials.integer is True
    assert n_trials.default == 10
    assert n_trials.description == "trials per observation"
    assert n_trials.check(20) == 20
    assert isinstance(n_trials.check(20.0), int)
    for bad, pattern in [(0, r"n_trials must lie in \[1, ∞\)"), (2.5, "whole number"), ("x", "a number")]:
        with pytest.raises(ValueError, match=pattern):
            n_trials.check(bad)


@pytest.mark.parametrize(
    ("parameter", "inside", "outside"),
    [
        (Parameter("p", "p", 0.0, 1.0, 0.5, lower_closed=True, upper_closed=True), [0.0, 1.0, 0.5], [-1e-300, 1.5]),
        (Parameter("rate", "λ", 0.0, math.inf, 1.0, lower_closed=True), [0.0, 1e300], [-1.0]),
        (Parameter("rate", "λ", 0.0, math.inf, 1.0), [5e-324, 3.0], [0.0, -2.0]),
    ],
)
def test_closed_and_open_bounds(parameter, inside, outside):
    for value in inside:
        assert parameter.check(value) == value
    for value in outside:
        with pytest.raises(ValueError, match=rf"{parameter.name} must lie in {re.escape(parameter.interval)}"):
            parameter.check(value)
    with pytest.raises(ValueError, match="must lie in"):
        parameter.check_array(np.array([inside[0], outside[0]]))
    np.testing.assert_array_equal(parameter.check_array(np.array(inside)), inside)


def test_bernoulli_p_may_be_0_or_1_but_not_beyond():
    assert mle_core.log_likelihood("bernoulli", COIN, p=1.0) == -math.inf
    assert mle_core.log_likelihood("bernoulli", [1, 1], p=1.0) == 0.0
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\], got 1.5"):
        mle_core.log_likelihood("bernoulli", COIN, p=1.5)


# --- known answers -------------------------------------------------------------------------------


def test_coin_seven_heads_in_ten_gives_exactly_0_7():
    result = mle_core.fit_result("bernoulli", COIN)
    assert result.params["p"] == 0.7
    assert result.converged is True
    assert result.message == ""
    assert result.log_likelihood == pytest.approx(7 * math.log(0.7) + 3 * math.log(0.3), rel=1e-15)
    assert mle_core.fit("bernoulli", BernoulliStatistics(10, 7)) == {"p": 0.7}


def test_known_closed_form_estimates():
    assert mle_core.fit("binomial", [2, 0, 1, 3], n_trials=10) == {"p": 6 / 40}
    assert mle_core.fit("binomial", [2, 0, 1, 3], n_trials=4) == {"p": 6 / 16}
    assert mle_core.fit("poisson", [2, 0, 1, 3, 4]) == {"rate": 2.0}
    assert mle_core.fit("exponential", [1.0, 2.0, 3.0, 6.0]) == {"rate": 1 / 3}


def test_log_likelihood_known_values():
    # Σ ln C(4, xᵢ) = ln 6 + ln 4 + ln 1; K = 5 successes, 12 − 5 = 7 failures.
    expected = math.log(6) + math.log(4) + 5 * math.log(0.25) + 7 * math.log(0.75)
    assert mle_core.log_likelihood("binomial", [2, 3, 0], p=0.25, n_trials=4) == pytest.approx(expected, rel=1e-15)
    # Poisson: K ln λ − nλ − Σ ln xᵢ! with K = 5, n = 3, Σ ln x! = ln 2 + ln 6.
    expected = 5 * math.log(1.5) - 4.5 - math.log(2) - math.log(6)
    assert mle_core.log_likelihood("poisson", [2, 3, 0], rate=1.5) == pytest.approx(expected, rel=1e-15)
    assert mle_core.log_likelihood("exponential", [1.0, 3.0], rate=0.5) == pytest.approx(2 * math.log(0.5) - 2.0)
    # Weibull with k = 1 is the exponential with rate 1/λ.
    assert mle_core.log_likelihood("weibull", [1.0, 3.0], shape=1.0, scale=2.0) == pytest.approx(
        2 * math.log(0.5) - 2.0, rel=1e-15
    )


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_results_are_floats_and_fit_dicts_are_plain(family):
    data = {"bernoulli": COIN, "binomial": [1, 2, 3], "poisson": [1, 2, 3]}.get(family, [1.0, 2.5, 4.0])
    fam = mle_core.get_family(family)
    theta = {p.name: p.default for p in fam.parameters}
    value = mle_core.log_likelihood(family, data, **theta)
    assert type(value) is float
    assert type(fam.log_likelihood(mle_core.sufficient_statistics(family, data), **theta)) is float
    estimate = mle_core.fit(family, data)
    assert type(estimate) is dict
    assert all(type(v) is float for v in estimate.values())
    with pytest.raises(TypeError):
        mle_core.fit_result(family, data).params[fam.parameter_names[0]] = 0.0


# --- against scipy: densities, ℓ, fits -----------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=any_case)
def test_log_densities_match_scipy(case):
    family, data, params, constants = case
    with no_warnings():
        ours = mle_core.log_densities(family, data, **params, **constants)
    with np.errstate(all="ignore"):
        expected = scipy_log_pmf_or_pdf(family, data, params, constants)
    assert ours.dtype == np.float64
    assert ours.shape == (len(data),)
    assert not np.isnan(ours).any()
    rtol = 1e-9 if family in ("binomial", "weibull") else 1e-12
    np.testing.assert_allclose(ours, expected, rtol=rtol, atol=1e-9)


@settings(max_examples=80, deadline=None)
@given(case=any_case)
def test_log_likelihood_from_statistics_matches_sum_of_scipy_terms(case):
    family, data, params, constants = case
    statistics = mle_core.sufficient_statistics(family, data, **constants)
    with no_warnings():
        ours = mle_core.log_likelihood(family, statistics, **params)
        from_data = mle_core.log_likelihood(family, data, **params, **constants)
    assert ours == from_data
    with np.errstate(all="ignore"):
        terms = scipy_log_pmf_or_pdf(family, data, params, constants)
    rel = 1e-9 if family in ("binomial", "weibull") else 1e-11
    assert_sum_close(ours, terms, rel)


@settings(max_examples=60, deadline=None)
@given(case=st.one_of(bernoulli_cases(), binomial_cases(), poisson_cases(), exponential_cases()))
def test_closed_form_fit_matches_formula_and_is_a_maximum(case):
    family, data, _, constants = case
    x = np.asarray(data, dtype=float)
    result = mle_core.fit_result(family, data, **constants)
    (name,) = result.params
    estimate = result.params[name]
    expected = {
        "bernoulli": lambda: x.sum() / x.size,
        "binomial": lambda: x.sum() / (x.size * constants.get("n_trials", 10)),
        "poisson": lambda: x.mean(),
        "exponential": lambda: 1.0 / x.mean(),
    }[family]()
    assert estimate == pytest.approx(expected, rel=1e-13)
    assert result.converged is True
    # ℓ̂ is ℓ at the estimate (scipy's sum) …
    with np.errstate(all="ignore"):
        terms = scipy_log_pmf_or_pdf(family, data, result.params, constants)
    assert_sum_close(result.log_likelihood, terms, 1e-9)
    # … and no nearby value does better.
    parameter = mle_core.get_family(family).parameters[0]
    for factor in (0.9, 0.999, 1.001, 1.1):
        nearby = estimate * factor
        if parameter.contains(nearby):
            assert mle_core.log_likelihood(
                family, data, **{name: nearby}, **constants
            ) <= result.log_likelihood + 1e-9 * (abs(result.log_likelihood) + 1)


@settings(max_examples=40, deadline=None)
@given(data=st.lists(positive, min_size=2, max_size=100))
def test_exponential_fit_matches_scipy_expon_fit(data):
    _, scale = stats.expon.fit(data, floc=0)
    assert mle_core.fit("exponential", data)["rate"] == pytest.approx(1.0 / scale, rel=1e-12)


def test_discrete_fits_match_scipy_stats_fit():
    # scipy.stats.fit maximises numerically over the bounds; our closed forms must match and never lose.
    rng = np.random.default_rng(7)
    cases = [
        ("bernoulli", stats.bernoulli, rng.binomial(1, 0.3, 50), {"p": (0, 1)}, {}),
        ("binomial", stats.binom, rng.binomial(12, 0.2, 40), {"n": (12, 12), "p": (0, 1)}, {"n_trials": 12}),
        ("poisson", stats.poisson, rng.poisson(4.0, 60), {"mu": (0, 50)}, {}),
    ]
    for family, dist, data, bounds, constants in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = stats.fit(dist, data, bounds)
        ours = mle_core.fit_result(family, data, **constants)
        (estimate,) = ours.params.values()
        assert estimate == pytest.approx(reference.params[-2 if family == "binomial" else 0], rel=1e-3)
        scipy_ll = -reference.nllf()
        assert ours.log_likelihood >= scipy_ll - 1e-12 * abs(scipy_ll)
        assert ours.log_likelihood == pytest.approx(scipy_ll, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.floats(min_value=1e-3, max_value=1e4), min_size=2, max_size=150).filter(
        lambda d: max(d) > min(d) * (1 + 1e-6)
    )
)
@example(data=[1.0, 2.0, 3.5, 0.4])
@example(data=[1e-3, 1e4])
@example(data=[5.0, 5.0, 5.0, 5.001])
def test_weibull_fit_is_never_worse_than_scipy(data):
    result = mle_core.fit_result("weibull", data)
    assert result.converged is True, result.message
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        shape, _, scale = stats.weibull_min.fit(data, floc=0)
        scipy_ll = float(stats.weibull_min.logpdf(data, shape, scale=scale).sum())
    assert result.log_likelihood >= scipy_ll - 1e-9 * abs(scipy_ll)
    # ℓ̂ is the family's own ℓ at the estimate, and that is scipy's sum there.
    terms = stats.weibull_min.logpdf(data, result.params["shape"], scale=result.params["scale"])
    assert_sum_close(result.log_likelihood, terms, 1e-9)
    assert result.log_likelihood == mle_core.log_likelihood("weibull", data, **result.params)


@pytest.mark.parametrize("seed", range(5))
def test_weibull_estimate_solves_the_likelihood_equations(seed):
    # At the maximum both partial derivatives vanish:
    # ∂ℓ/∂k = n/k + Σ ln(xᵢ/λ) − Σ (xᵢ/λ)^k ln(xᵢ/λ),  ∂ℓ/∂λ = (k/λ)(Σ (xᵢ/λ)^k − n).
    rng = np.random.default_rng(seed)
    data = rng.weibull(rng.uniform(0.3, 8.0), size=rng.integers(3, 300)) * rng.uniform(0.01, 1e4)
    result = mle_core.fit_result("weibull", data)
    k, lam = result.params["shape"], result.params["scale"]
    log_ratio = np.log(data) - math.log(lam)
    powers = np.exp(k * log_ratio)
    n = data.size
    d_shape = n / k + log_ratio.sum() - (powers * log_ratio).sum()
    d_scale = (k / lam) * (powers.sum() - n)
    assert abs(d_shape) <= 1e-9 * n / k
    assert abs(d_scale * lam / k) <= 1e-9 * n


def test_probabilities_near_0_keep_their_digits():
    # ℓ(p) = n ln(1 − p) for n zeros: ln(1 − 1e-12) must come from log1p, not from 1 − p.
    value = mle_core.log_likelihood("bernoulli", [0.0] * 1000, p=1e-12)
    assert value == pytest.approx(1000 * stats.bernoulli.logpmf(0, 1e-12), rel=1e-14, abs=0)
    grid = mle_core.log_likelihood("binomial", [0.0] * 10, p=np.array([1e-12, 1e-15]), n_trials=3)
    np.testing.assert_allclose(grid, [30 * math.log1p(-1e-12), 30 * math.log1p(-1e-15)], rtol=1e-14)


def test_weibull_fit_known_answer_against_scipy():
    data = stats.weibull_min.rvs(2.5, scale=3.0, size=200, random_state=np.random.default_rng(3))
    shape, _, scale = stats.weibull_min.fit(data, floc=0)
    result = mle_core.fit_result("weibull", data)
    assert result.params["shape"] == pytest.approx(shape, rel=1e-4)
    assert result.params["scale"] == pytest.approx(scale, rel=1e-4)
    # At the maximum the scale is (mean xᵢ^k̂)^(1/k̂).
    k = result.params["shape"]
    assert result.params["scale"] == pytest.approx(np.mean(data**k) ** (1 / k), rel=1e-12)


# --- broadcasting over a grid --------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(case=any_case, seed=st.integers(0, 2**32 - 1))
def test_log_likelihood_on_a_grid_equals_the_scalar_calls(case, seed):
    family, data, params, constants = case
    fam = mle_core.get_family(family)
    statistics = mle_core.sufficient_statistics(family, data, **constants)
    rng = np.random.default_rng(seed)
    # A grid around the drawn value, with the bounds themselves where they are allowed.
    grid = {}
    for i, p in enumerate(fam.parameters):
        values = params[p.name] * rng.uniform(0.5, 1.5, size=4)
        values = np.clip(values, p.lower if p.lower_closed else np.nextafter(p.lower, 1), p.upper)
        if p.lower_closed:
            values[0] = p.lower
        if p.upper_closed:
            values[-1] = p.upper
        values = np.where(values > 0, values, 1e-3) if not p.lower_closed else values
        grid[p.name] = values.reshape((4,) + (1,) * i)
    with no_warnings():
        surface = mle_core.log_likelihood(family, statistics, **grid)
        direct = fam.log_likelihood(statistics, **grid)
    shape = np.broadcast_shapes(*(v.shape for v in grid.values()))
    assert surface.shape == shape
    np.testing.assert_array_equal(surface, direct)
    for index in np.ndindex(shape):
        point = {name: float(np.broadcast_to(v, shape)[index]) for name, v in grid.items()}
        scalar = mle_core.log_likelihood(family, statistics, **point)
        assert surface[index] == pytest.approx(scalar, rel=1e-12, abs=1e-9) or surface[index] == scalar


def test_weibull_grid_larger_than_one_chunk_matches_scalar_calls():
    data = np.random.default_rng(5).weibull(1.7, size=3000) * 40
    statistics = mle_core.sufficient_statistics("weibull", data)
    shapes = np.linspace(0.5, 4.0, 700)[:, None]  # 700 × 3000 > 2²⁰ terms: several chunks
    scales = np.array([[10.0, 40.0, 90.0]])
    surface = mle_core.log_likelihood("weibull", statistics, shape=shapes, scale=scales)
    assert surface.shape == (700, 3)
    for i in (0, 349, 350, 699):
        for j in range(3):
            expected = mle_core.log_likelihood("weibull", statistics, shape=float(shapes[i, 0]), scale=scales[0, j])
            assert surface[i, j] == pytest.approx(expected, rel=1e-12)


def test_grid_values_are_checked():
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\], got 1.2"):
        mle_core.log_likelihood("bernoulli", COIN, p=np.array([0.5, 1.2]))
    with pytest.raises(ValueError, match=r"the weibull family needs parameter\(s\) scale"):
        mle_core.log_likelihood("weibull", [1.0], shape=np.array([1.0, 2.0]))


# --- incremental statistics ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(case=any_case, split=st.integers(0, 200))
def test_add_and_extend_equal_fresh_statistics(case, split):
    family, data, _, constants = case
    fam = mle_core.get_family(family)
    split = min(split, len(data))
    fresh = mle_core.sufficient_statistics(family, data, **constants)
    empty = fam.statistics_type(**({"n_trials": constants["n_trials"]} if constants else {}))
    step = empty
    for value in data:
        step = step.add(value)
    extended = mle_core.sufficient_statistics(family, data[:split], **constants).extend(data[split:])
    for candidate in (step, extended):
        assert candidate.n == fresh.n == len(data)
        if family == "weibull":
            assert candidate == fresh  # recomputed from the observations: identical
        else:
            for name, value in vars(fresh).items():
                assert getattr(candidate, name) == pytest.approx(value, rel=1e-12, abs=1e-9), name
        assert isinstance(candidate, fam.statistics_type)


def test_statistics_are_immutable_and_updates_return_new_objects():
    before = BernoulliStatistics.from_observations(COIN)
    after = before.add(1)
    assert (before.n, before.successes) == (10, 7)
    assert (after.n, after.successes) == (11, 8)
    with pytest.raises(AttributeError):
        before.n = 3
    weibull = WeibullStatistics.from_observations([1.0, 2.0])
    with pytest.raises(ValueError, match="read-only"):
        weibull.observations[0] = 5.0
    assert weibull.add(3.0).n == 3
    assert weibull.n == 2


def test_binomial_statistics_carry_n_trials():
    statistics = mle_core.sufficient_statistics("binomial", [1, 4], n_trials=5)
    assert statistics.n_trials == 5
    assert mle_core.fit("binomial", statistics) == {"p": 0.5}
    assert mle_core.log_likelihood("binomial", statistics, p=0.5) == mle_core.log_likelihood(
        "binomial", [1, 4], p=0.5, n_trials=5
    )
    with pytest.raises(ValueError, match=r"n_trials = 10 does not match the statistics"):
        mle_core.log_likelihood("binomial", statistics, p=0.5, n_trials=10)
    with pytest.raises(ValueError, match=r"binomial observations must be integers 0 … 5 \(m = 5\); got 6.0"):
        statistics.add(6)


# --- observations outside the support ------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "data", "constants", "message", "indices"),
    [
        ("bernoulli", [1, 0, 0.5, 1], {}, r"bernoulli observations must be 0 or 1; found 0.5 at index 2$", [2]),
        ("bernoulli", [2, 0], {}, r"found 2.0 at index 0$", [0]),
        (
            "poisson",
            [3, -1, 2.5, 0],
            {},
            r"poisson observations must be non-negative integers up to 10⁹; found -1.0 at index 1, 2.5 at index 2$",
            [1, 2],
        ),
        # Counts beyond 1e9: a count of 1e15 had ℓ = 0.0 (the mass of one count is at most 1).
        ("poisson", [1e9, 1e9 + 1, 1e15], {}, r"found 1000000001.0 at index 1, 1000000000000000.0 at index 2$", [1, 2]),
        (
            "binomial",
            [3, 11, 10],
            {"n_trials": 10},
            r"binomial observations must be integers 0 … 10 \(m = 10\); found 11.0 at index 1$",
            [1],
        ),
        ("binomial", [1.5], {"n_trials": 3}, r"found 1.5 at index 0$", [0]),
        (
            "exponential",
            [0, 2.0, -3],
            {},
            r"exponential observations must be positive numbers; found 0.0 at index 0, -3.0 at index 2$",
            [0, 2],
        ),
        (
            "weibull",
            [1.0, 0, -3],
            {},
            r"weibull observations must be positive numbers; found 0.0 at index 1, -3.0 at index 2$",
            [1, 2],
        ),
    ],
)
def test_observations_outside_the_support_are_refused_by_name(family, data, constants, message, indices):
    fam = mle_core.get_family(family)
    theta = {p.name: p.default for p in fam.parameters}
    for call in (
        lambda: mle_core.fit(family, data, **constants),
        lambda: mle_core.fit_result(family, data, **constants),
        lambda: mle_core.log_likelihood(family, data, **theta, **constants),
        lambda: mle_core.log_densities(family, data, **theta, **constants),
        lambda: mle_core.sufficient_statistics(family, data, **constants),
        lambda: fam.validate_observations(np.asarray(data, dtype=float), **constants),
    ):
        with pytest.raises(ValueError, match=message):
            call()
    assert mle_core.outside_support(family, data, **constants).tolist() == indices
    mask = fam.support_mask(np.asarray(data, dtype=float), **constants)
    assert np.flatnonzero(~mask).tolist() == indices


@pytest.mark.parametrize(
    ("family", "bad"),
    [("bernoulli", 0.5), ("poisson", -1), ("poisson", 2.5), ("exponential", 0), ("weibull", -3)],
)
def test_add_refuses_a_value_outside_the_support(family, bad):
    statistics = mle_core.sufficient_statistics(family, [1])
    with pytest.raises(ValueError, match=rf"{family} observations must be .*; got {float(bad)!r}"):
        statistics.add(bad)
    with pytest.raises(ValueError, match=rf"found {float(bad)!r} at index 1"):
        statistics.extend([1, bad])


def test_outside_support_of_valid_data_is_empty():
    assert mle_core.outside_support("poisson", [0, 1, 7]).tolist() == []
    assert mle_core.outside_support("gaussian", [-1e6, 0.5]).tolist() == []
    assert mle_core.outside_support("binomial", [0, 20], n_trials=20).tolist() == []
    with pytest.raises(ValueError, match="finite numbers"):
        mle_core.outside_support("poisson", [1, math.nan])


@pytest.mark.parametrize("size", [10, 100, 10_000])
@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        (math.nan, "finite numbers; found nan at index"),
        (-math.inf, "found -inf at index"),
        (1e200, "within ±10¹⁵⁰; found 1e\\+200 at index"),
    ],
)
@pytest.mark.parametrize("family", ["gaussian", "poisson", "exponential", "weibull"])
def test_non_finite_and_huge_values_are_refused_at_every_size(family, size, bad, pattern):
    # Small, medium and large samples take different paths through the range checks.
    data = np.full(size, 2.0)
    data[size // 2] = bad
    with pytest.raises(ValueError, match=rf"{pattern} {size // 2}$"):
        mle_core.sufficient_statistics(family, data)


@pytest.mark.parametrize(("n_trials", "pattern"), [(0, r"must lie in \[1, ∞\)"), (2.5, "whole number")])
def test_invalid_n_trials_is_refused(n_trials, pattern):
    with pytest.raises(ValueError, match=pattern):
        mle_core.fit("binomial", [1, 2], n_trials=n_trials)


def test_unknown_constants_are_refused():
    with pytest.raises(ValueError, match=r"unknown constant\(s\) n_trials for the poisson family \(it takes none\)"):
        mle_core.fit("poisson", [1, 2], n_trials=3)
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) trials for the binomial family"):
        mle_core.log_likelihood("binomial", [1, 2], p=0.5, trials=3)


def test_binomial_n_trials_defaults_to_10():
    assert mle_core.fit("binomial", [5, 5]) == {"p": 0.5}
    with pytest.raises(ValueError, match=r"integers 0 … 10"):
        mle_core.fit("binomial", [11])


# --- the edges of the parameter space ------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "data", "constants", "estimate"),
    [
        ("bernoulli", [0, 0, 0], {}, 0.0),
        ("bernoulli", [1, 1], {}, 1.0),
        ("binomial", [0, 0], {"n_trials": 5}, 0.0),
        ("binomial", [5, 5, 5], {"n_trials": 5}, 1.0),
        ("poisson", [0, 0, 0, 0], {}, 0.0),
    ],
)
def test_boundary_estimates_are_true_maxima(family, data, constants, estimate):
    with no_warnings():
        result = mle_core.fit_result(family, data, **constants)
    (value,) = result.params.values()
    assert value == estimate
    assert result.converged is True
    assert "boundary" in result.message
    assert math.isfinite(result.log_likelihood)
    with np.errstate(all="ignore"):
        expected = scipy_log_pmf_or_pdf(family, data, result.params, constants).sum()
    assert result.log_likelihood == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("family", "data", "params", "expected"),
    [
        ("bernoulli", [1, 0], {"p": 0.0}, -math.inf),
        ("bernoulli", [0, 0], {"p": 0.0}, 0.0),
        ("bernoulli", [1, 0], {"p": 1.0}, -math.inf),
        ("binomial", [0, 3], {"p": 0.0}, -math.inf),
        ("binomial", [0, 0], {"p": 0.0}, 0.0),
        ("binomial", [10, 10], {"p": 1.0}, 0.0),
        ("poisson", [0, 2], {"rate": 0.0}, -math.inf),
        ("poisson", [0, 0], {"rate": 0.0}, 0.0),
        ("exponential", [1e150], {"rate": 1e300}, -math.inf),
        ("weibull", [1e150], {"shape": 30.0, "scale": 1e-3}, -math.inf),
    ],
)
def test_log_likelihood_at_the_edges_is_minus_inf_never_nan(family, data, params, expected):
    with no_warnings():
        value = mle_core.log_likelihood(family, data, **params)
        densities = mle_core.log_densities(family, data, **params)
        grid = mle_core.log_likelihood(family, data, **{k: np.array([v, v]) for k, v in params.items()})
    assert value == expected
    assert not np.isnan(densities).any()
    assert math.fsum(densities) == expected
    assert grid.tolist() == [expected, expected]


@pytest.mark.parametrize("data", [[3.0], [2.5, 2.5], [0.1] * 7, [1e-300] * 3, [1e150] * 2])
def test_weibull_fit_of_equal_observations_has_no_finite_maximum(data):
    with no_warnings():
        result = mle_core.fit_result("weibull", data)
    assert result.converged is False
    assert result.log_likelihood == math.inf
    assert result.params["shape"] == math.inf
    assert result.params["scale"] == data[0]
    assert "equal" in result.message
    assert "no finite maximum" in result.message


def test_weibull_fit_of_nearly_equal_observations_has_a_large_shape():
    data = [5.0, 5.0, 5.0, 5.001]
    result = mle_core.fit_result("weibull", data)
    assert result.converged is True
    assert result.params["shape"] > 1000


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_fit_of_no_observations_is_refused(family):
    with pytest.raises(ValueError, match=rf"cannot fit the {family} family to no observations"):
        mle_core.fit(family, [])
    fam = mle_core.get_family(family)
    theta = {p.name: p.default for p in fam.parameters}
    assert mle_core.log_likelihood(family, [], **theta) == 0.0
    assert mle_core.log_densities(family, [], **theta).shape == (0,)


# --- sampling ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "params", "constants", "mean"),
    [
        ("gaussian", {"mu": 3.0, "sigma": 2.0}, {}, 3.0),
        ("bernoulli", {"p": 0.3}, {}, 0.3),
        ("binomial", {"p": 0.2}, {"n_trials": 15}, 3.0),
        ("poisson", {"rate": 4.5}, {}, 4.5),
        ("exponential", {"rate": 0.25}, {}, 4.0),
        ("weibull", {"shape": 2.0, "scale": 10.0}, {}, 10.0 * math.gamma(1.5)),
    ],
)
def test_sample_draws_from_the_right_distribution(family, params, constants, mean):
    draws = mle_core.sample(family, 20_000, rng=np.random.default_rng(11), **params, **constants)
    assert draws.dtype == np.float64
    assert draws.shape == (20_000,)
    assert mle_core.outside_support(family, draws, **constants).size == 0
    assert draws.mean() == pytest.approx(mean, rel=0.05, abs=0.02)
    # The fit of many draws recovers the parameters.
    estimate = mle_core.fit(family, draws, **constants)
    for name, value in params.items():
        assert estimate[name] == pytest.approx(value, rel=0.05, abs=0.01)


def test_sample_seeds_and_edges():
    first = mle_core.sample("poisson", 5, rng=42, rate=2.0)
    np.testing.assert_array_equal(first, mle_core.sample("poisson", 5, rng=42, rate=2.0))
    assert mle_core.sample("bernoulli", 50, rng=1, p=0.0).tolist() == [0.0] * 50
    assert mle_core.sample("bernoulli", 50, rng=1, p=1.0).tolist() == [1.0] * 50
    assert mle_core.sample("poisson", 10, rate=0.0).tolist() == [0.0] * 10
    assert mle_core.sample("exponential", 0, rate=1.0).shape == (0,)
    with pytest.raises(ValueError, match="size must be at least 0"):
        mle_core.sample("poisson", -1, rate=1.0)
    with pytest.raises(ValueError, match="size must be a whole number"):
        mle_core.sample("poisson", 2.5, rate=1.0)
    with pytest.raises(ValueError, match="rng must be"):
        mle_core.sample("poisson", 2, rng="seed", rate=1.0)
    with pytest.raises(ValueError, match=r"rate must lie in \(0, ∞\)"):
        mle_core.sample("exponential", 2, rate=0.0)


@pytest.mark.parametrize(
    ("family", "params", "said"),
    [
        ("weibull", {"shape": 0.5, "scale": 1e308}, "overflow the largest float"),
        ("gaussian", {"mu": 1e308, "sigma": 1e308}, "overflow the largest float"),
        ("exponential", {"rate": 1e-308}, "overflow the largest float"),
        ("poisson", {"rate": 1e308}, r"numpy refuses \(lam value too large\)"),
    ],
)
def test_sample_refuses_parameters_whose_draws_overflow(family, params, said):
    # pytest turns mle_core's RuntimeWarnings into errors: an overflow must surface as this ValueError only.
    with pytest.raises(ValueError, match=f"from the {family} family at .*{said}"):
        mle_core.sample(family, 50, rng=3, **params)


# --- comparing families --------------------------------------------------------------------------


def test_compare_families_of_counts():
    data = [1, 2, 3, 0, 5, 2]
    rows = mle_core.compare_families(data, n_trials=5)
    assert [row.family for row in rows] == list(mle_core.FAMILIES)
    by_name = {row.family: row for row in rows}
    assert all(isinstance(row, FamilyComparison) for row in rows)
    for name in ("gaussian", "binomial", "poisson"):
        row = by_name[name]
        result = mle_core.fit_result(name, data, **({"n_trials": 5} if name == "binomial" else {}))
        assert row.applies
        assert row.reason == ""
        assert row.log_likelihood == result.log_likelihood
        assert row.aic == 2 * row.k - 2 * row.log_likelihood
        assert row.converged is True
        assert dict(row.params) == dict(result.params)
    assert by_name["gaussian"].k == 2
    assert by_name["poisson"].k == 1
    assert by_name["poisson"].discrete is True
    assert by_name["gaussian"].discrete is False
    for name in ("bernoulli", "exponential", "weibull"):
        row = by_name[name]
        assert not row.applies
        assert row.log_likelihood is None
        assert row.aic is None
        assert row.converged is False
    assert "found 2.0 at index 1" in by_name["bernoulli"].reason
    assert "found 0.0 at index 3" in by_name["exponential"].reason
    with pytest.raises(AttributeError):
        rows[0].aic = 0.0


def test_compare_families_reasons_and_choices():
    rows = mle_core.compare_families([1.0, 2.5, 4.0], families=["poisson", mle_core.get_family("exponential")])
    assert [row.family for row in rows] == ["poisson", "exponential"]
    assert rows[0].reason == "poisson observations must be non-negative integers up to 10⁹; found 2.5 at index 1"
    assert rows[1].applies
    degenerate = {row.family: row for row in mle_core.compare_families([2.0, 2.0], families=["gaussian", "weibull"])}
    assert degenerate["gaussian"].log_likelihood == math.inf
    assert degenerate["gaussian"].aic == -math.inf
    assert degenerate["weibull"].converged is False
    empty = mle_core.compare_families([])
    assert all(row.reason == "there are no observations to fit" for row in empty)
    with pytest.raises(ValueError, match=r"unknown constant\(s\) n_trials"):
        mle_core.compare_families([1, 2], families=["poisson"], n_trials=3)
    with pytest.raises(ValueError, match="finite numbers"):
        mle_core.compare_families([1, math.inf])


# --- scipy stays out of the other families -------------------------------------------------------


def test_scipy_is_imported_only_by_the_weibull_fit():
    script = """
import sys
import mle_core
from mle_core import scenarios
assert "scipy" not in sys.modules, "import mle_core imported scipy"
for name in ("gaussian", "bernoulli", "binomial", "poisson", "exponential", "weibull"):
    fam = mle_core.get_family(name)
    data = mle_core.sample(name, 30, rng=1, **{p.name: p.default for p in fam.parameters})
    mle_core.log_densities(name, data, **{p.name: p.default for p in fam.parameters})
    mle_core.log_likelihood(name, data, **{p.name: p.default for p in fam.parameters})
    if name != "weibull":
        mle_core.fit_result(name, data)
        mle_core.outside_support(name, data)
mle_core.compare_families([0, 1, 1], families=["gaussian", "bernoulli", "binomial", "poisson"])
assert "scipy" not in sys.modules, sorted(m for m in sys.modules if m.startswith("scipy"))
mle_core.fit("weibull", [1.0, 2.0, 4.0])
assert "scipy.optimize" in sys.modules
print("ok")
"""
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"


def test_weibull_log_likelihood_at_an_enormous_shape_is_minus_infinity_not_nan():
    # Found by tests/test_state_machine.py: ℓ(k = 1e308) was inf − inf = nan. Σ(xᵢ/λ)^k wins: −∞.
    x = [800.0, 1200.0, 1500.0]
    assert mle_core.log_likelihood("weibull", x, shape=1e308, scale=1000.0) == -math.inf
    grid = mle_core.log_likelihood("weibull", x, shape=np.array([1e308, 2.0]), scale=1000.0)
    assert grid[0] == -math.inf
    assert np.isfinite(grid[1])


def _weibull_log_likelihood_exactly(data, shape: float, scale: float) -> float:
    """ℓ(k, λ) in 60-digit decimal arithmetic: the oracle where float logarithms of nearby numbers cancel."""
    with decimal.localcontext() as context:
        context.prec = 60
        k, lam = decimal.Decimal(shape), decimal.Decimal(scale)
        total = decimal.Decimal(0)
        for x in data:
            ratio = decimal.Decimal(x) / lam
            total += k.ln() - lam.ln() + (k - 1) * ratio.ln() - (k * ratio.ln()).exp()
        return float(total)


@pytest.mark.parametrize(
    "data",
    [[2.0, 2.0 * (1 + 1e-13)], [1e10, 1e10 + 0.01, 1e10 + 0.03], [1e100, 1e100 * (1 + 1e-12)], [2.3, 1.9, 2.5, 2.8]],
    ids=["2", "1e10", "1e100", "example"],
)
def test_weibull_log_likelihood_at_the_estimate_keeps_its_digits_for_data_close_together(data):
    # k̂ ≈ 1e12 multiplied the rounding of ln xᵢ − ln λ into ℓ̂: 8.67971 for the 1e10 data instead of 8.67869.
    fit = mle_core.fit_result("weibull", data)
    expected = _weibull_log_likelihood_exactly(data, fit.params["shape"], fit.params["scale"])
    assert fit.log_likelihood == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert mle_core.log_likelihood("weibull", data, **fit.params) == pytest.approx(expected, rel=1e-12, abs=1e-9)
