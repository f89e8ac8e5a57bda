"""A family added from outside mle_core: the geometric (``extra_family.py``), registered with one line.

Everything mle_core offers is driven through it by name, against ``scipy.stats.geom`` and closed
forms. scipy's geom counts the trials up to and including the first success (1, 2, …), ours the
failures before it (0, 1, …): ours at x is scipy's at x + 1. Every test runs twice, through the
family as ``extra_family.FAMILY`` declares it (no closed forms: inference's numerical paths) and
as ``FAMILY_WITH_CLOSED_FORMS`` (its score and information declared), so that both routes are held
to the same oracles. The registry itself (register, unregister, read-only ``FAMILIES``) is tested
at the end.
"""

from __future__ import annotations

import dataclasses
import math

import extra_family
import numpy as np
import pytest
from scipy import optimize, stats

import mle_core
from mle_core import inference as inf

P_TRUE = 0.3
HALF_CHI2_95 = stats.chi2.ppf(0.95, 1) / 2
Z_95 = stats.norm.ppf(0.975)
#: Counts of failures before a success: 40 draws at p = 0.3 (mean 2.33), fixed, and their statistics.
DATA = [float(v) for v in np.random.default_rng(20).geometric(P_TRUE, 40) - 1]
N, TOTAL = len(DATA), sum(DATA)
P_HAT = N / (N + TOTAL)


@pytest.fixture(
    params=[extra_family.FAMILY, extra_family.FAMILY_WITH_CLOSED_FORMS], ids=["numeric", "closed-forms"], name="family"
)
def registered(request):
    """The geometric family, registered for the test and unregistered afterwards."""
    assert "geometric" not in mle_core.FAMILIES
    with mle_core.registered_family(request.param) as family:
        yield family
    assert "geometric" not in mle_core.FAMILIES


def scipy_log_likelihood(p: float, data=DATA) -> float:
    return float(stats.geom.logpmf(np.asarray(data) + 1, p).sum())


def closed_score(p: float) -> float:
    return N / p - TOTAL / (1 - p)


def closed_information(p: float) -> float:
    return N / p**2 + TOTAL / (1 - p) ** 2


# --- the family by name -------------------------------------------------------------------------------


def test_registered_by_name_everywhere(family):
    assert mle_core.get_family("geometric") is family
    assert list(mle_core.FAMILIES)[-1] == "geometric"  # after the built-in ones
    assert "geometric" in mle_core.FAMILIES
    with pytest.raises(TypeError):
        mle_core.FAMILIES["geometric"] = family  # still read-only
    stats_ = mle_core.sufficient_statistics("geometric", DATA)
    assert (stats_.n, stats_.total) == (N, TOTAL)
    assert stats_.add(4).extend([1, 0]) == mle_core.sufficient_statistics("geometric", [*DATA, 4, 1, 0])


def test_log_densities_and_log_likelihood_match_scipy(family):
    for p in (0.05, P_TRUE, 0.9):
        ours = mle_core.log_densities("geometric", DATA, p=p)
        np.testing.assert_allclose(ours, stats.geom.logpmf(np.asarray(DATA) + 1, p), rtol=1e-13)
        expected = scipy_log_likelihood(p)
        assert mle_core.log_likelihood("geometric", DATA, p=p) == pytest.approx(expected, rel=1e-13)
        statistics = mle_core.sufficient_statistics("geometric", DATA)
        assert mle_core.log_likelihood("geometric", statistics, p=p) == pytest.approx(expected, rel=1e-13)
    grid = np.linspace(0.05, 0.95, 7)
    on_grid = mle_core.log_likelihood("geometric", DATA, p=grid)
    np.testing.assert_allclose(on_grid, [scipy_log_likelihood(p) for p in grid], rtol=1e-13)
    # p = 1: success at once. Counts of 0 have probability 1; any other count is impossible.
    assert mle_core.log_densities("geometric", [0, 2], p=1.0).tolist() == [0.0, -math.inf]
    assert mle_core.log_likelihood("geometric", [0, 0, 0], p=1.0) == 0.0
    with pytest.raises(ValueError, match=r"p must lie in \(0, 1\]"):
        mle_core.log_likelihood("geometric", DATA, p=0.0)


def test_fit_is_the_closed_form_and_the_maximum(family):
    fitted = mle_core.fit_result("geometric", DATA)
    assert fitted.params == {"p": P_HAT}
    assert fitted.converged
    assert fitted.log_likelihood == pytest.approx(scipy_log_likelihood(P_HAT), rel=1e-13)
    # An independent maximiser of scipy's ℓ lands on the same p̂.
    found = optimize.minimize_scalar(lambda p: -scipy_log_likelihood(p), bounds=(1e-6, 1 - 1e-6), method="bounded")
    assert found.x == pytest.approx(P_HAT, abs=1e-5)
    # Every count 0: p̂ = 1, on the closed bound, a true maximum with ℓ̂ = 0.
    zeros = mle_core.fit_result("geometric", [0, 0, 0])
    assert (zeros.params["p"], zeros.log_likelihood, zeros.converged) == (1.0, 0.0, True)
    assert "boundary" in zeros.message
    with pytest.raises(ValueError, match="no observations"):
        mle_core.fit("geometric", [])


def test_support_is_the_non_negative_integers(family):
    assert mle_core.outside_support("geometric", [3, -1, 2.5, 0]).tolist() == [1, 2]
    with pytest.raises(
        ValueError, match=r"geometric observations must be non-negative integers up to 1e9; found 2\.5 at index 1"
    ):
        mle_core.fit("geometric", [1, 2.5])


def test_samples_follow_scipy_geom_shifted_by_one(family):
    draws = mle_core.sample("geometric", 20_000, 7, p=P_TRUE)
    assert draws.dtype == np.float64
    assert draws.min() == 0.0
    assert np.all(draws == np.floor(draws))
    # Mean (1 − p)/p and variance (1 − p)/p², within a few standard errors of 20 000 draws.
    assert draws.mean() == pytest.approx((1 - P_TRUE) / P_TRUE, rel=0.03)
    assert draws.var() == pytest.approx((1 - P_TRUE) / P_TRUE**2, rel=0.06)
    # The empirical CDF against scipy's, shifted: P(X ≤ k) = geom.cdf(k + 1).
    for k in range(6):
        assert np.mean(draws <= k) == pytest.approx(stats.geom.cdf(k + 1, P_TRUE), abs=0.015)


def test_compare_families_includes_it(family):
    rows = {row.family: row for row in mle_core.compare_families(DATA)}
    assert list(rows)[-1] == "geometric"
    geometric = rows["geometric"]
    assert geometric.applies
    assert geometric.k == 1
    assert geometric.discrete
    assert geometric.log_likelihood == pytest.approx(scipy_log_likelihood(P_HAT), rel=1e-13)
    assert geometric.aic == pytest.approx(2 - 2 * scipy_log_likelihood(P_HAT), rel=1e-13)
    # Geometric counts are overdispersed (variance (1 − p)/p² > mean): the Poisson fits them worse.
    assert geometric.aic < rows["poisson"].aic
    refused = {row.family: row for row in mle_core.compare_families([1, 2.5])}["geometric"]
    assert not refused.applies
    assert "non-negative integers" in refused.reason


# --- inference --------------------------------------------------------------------------------------


def test_score_and_information_match_the_closed_forms(family):
    for p in (0.1, P_HAT, 0.6):
        assert inf.score("geometric", DATA, p=p)["p"] == pytest.approx(closed_score(p), abs=1e-7 * N / p)
        information = inf.observed_information("geometric", DATA, p=p)
        assert information.shape == (1, 1)
        assert information[0, 0] == pytest.approx(closed_information(p), rel=1e-8)
    # p = 1 is a closed bound: no two-sided derivative there.
    assert math.isnan(inf.score("geometric", [0, 0], p=1.0)["p"])


def test_standard_error_and_wald_interval(family):
    # J(p̂) = n/p̂² + T/(1 − p̂)² = n/(p̂²(1 − p̂)), so SE = p̂ √((1 − p̂)/n).
    se = P_HAT * math.sqrt((1 - P_HAT) / N)
    assert inf.standard_errors("geometric", DATA)["p"] == pytest.approx(se, rel=1e-8)
    wald = inf.wald_interval("geometric", DATA, "p")
    assert (wald.method, wald.estimate) == ("wald", P_HAT)
    assert wald.lower == pytest.approx(P_HAT - Z_95 * se, rel=1e-8)
    assert wald.upper == pytest.approx(P_HAT + Z_95 * se, rel=1e-8)
    assert not wald.leaves_parameter_space


def test_profile_interval_ends_where_scipy_likelihood_drops_by_half_chi2(family):
    top = scipy_log_likelihood(P_HAT)

    def drop(p):
        return top - scipy_log_likelihood(p) - HALF_CHI2_95

    interval = inf.profile_interval("geometric", DATA, "p")
    assert interval.lower == pytest.approx(optimize.brentq(drop, 1e-6, P_HAT, xtol=1e-15), rel=1e-9)
    assert interval.upper == pytest.approx(optimize.brentq(drop, P_HAT, 1 - 1e-9, xtol=1e-15), rel=1e-9)
    assert not interval.lower_at_bound
    assert not interval.upper_at_bound
    # One parameter: the profile is ℓ itself.
    grid = np.linspace(0.1, 0.6, 6)
    curve = inf.profile_log_likelihood("geometric", DATA, "p", grid)
    np.testing.assert_allclose(curve, [scipy_log_likelihood(p) for p in grid], rtol=1e-13)
    # Every count 0: p̂ = 1 is the upper end; ℓ_p(p) = n ln p drops by c at p = exp(−c/n).
    zeros = inf.profile_interval("geometric", [0] * 5, "p")
    assert (zeros.upper, zeros.upper_at_bound, zeros.lower_at_bound) == (1.0, True, False)
    assert zeros.lower == pytest.approx(math.exp(-HALF_CHI2_95 / 5), rel=1e-10)


@pytest.mark.parametrize("p0", [0.2, P_TRUE, 0.5])
def test_the_three_tests_of_p(family, p0):
    lr = inf.likelihood_ratio_test("geometric", DATA, "p", p0)
    expected_lr = 2 * (scipy_log_likelihood(P_HAT) - scipy_log_likelihood(p0))
    assert lr.statistic == pytest.approx(expected_lr, rel=1e-9, abs=1e-12)
    assert lr.p_value == pytest.approx(stats.chi2.sf(expected_lr, 1), rel=1e-9)
    assert lr.estimate == {"p": P_HAT}
    wald = inf.wald_test("geometric", DATA, "p", p0)
    expected_wald = (P_HAT - p0) ** 2 / (P_HAT**2 * (1 - P_HAT) / N)
    assert wald.statistic == pytest.approx(expected_wald, rel=1e-8)
    assert wald.p_value == pytest.approx(stats.chi2.sf(expected_wald, 1), rel=1e-7)
    observed = inf.score_test("geometric", DATA, "p", p0, information="observed")
    expected_observed = closed_score(p0) ** 2 / closed_information(p0)
    assert observed.statistic == pytest.approx(expected_observed, rel=1e-8)
    assert observed.p_value == pytest.approx(stats.chi2.sf(expected_observed, 1), rel=1e-7)
    # The expected (Fisher) information n/(p²(1 − p)) exists only where the family declares it.
    if family.expected_information is None:
        assert inf.score_test("geometric", DATA, "p", p0).information == "observed"
        with pytest.raises(ValueError, match="expected information of the geometric family is not known"):
            inf.score_test("geometric", DATA, "p", p0, information="expected")
    else:
        expected = inf.score_test("geometric", DATA, "p", p0)
        assert expected.information == "expected"
        fisher = N / (p0**2 * (1 - p0))
        assert expected.statistic == pytest.approx(closed_score(p0) ** 2 / fisher, rel=1e-12)


@pytest.mark.parametrize("method", ["newton", "gradient"])
def test_a_climb_reaches_p_hat(family, method):
    result = inf.climb("geometric", DATA, None, method)  # from the default p = 0.5
    assert result.converged, result.message
    assert result.theta["p"] == pytest.approx(P_HAT, rel=1e-8)
    assert result.log_likelihood == pytest.approx(scipy_log_likelihood(P_HAT), rel=1e-12)
    first = result.steps[0]
    assert first.gradient["p"] == pytest.approx(closed_score(0.5), rel=1e-8)
    assert all(step.log_likelihood_new >= step.log_likelihood for step in result.steps)  # uphill only


def test_a_slice_and_the_default_grid(family):
    values = np.array([-0.1, 0.0, 0.2, 0.5, 1.0, 1.2])
    line = inf.log_likelihood_slice("geometric", DATA, "p", values)
    assert np.isnan(line[[0, 1, 5]]).all()  # outside (0, 1]
    np.testing.assert_allclose(line[[2, 3]], [scipy_log_likelihood(0.2), scipy_log_likelihood(0.5)], rtol=1e-13)
    assert line[4] == -math.inf  # p = 1 with positive counts: impossible
    grid = inf.default_grid("geometric", DATA)["p"]
    assert 0.0 < grid[0] < P_HAT < grid[-1] <= 1.0
    assert grid[-1] - P_HAT == pytest.approx(4 * P_HAT * math.sqrt((1 - P_HAT) / N), rel=1e-6)


def test_sampling_distribution(family):
    estimates = inf.sampling_distribution("geometric", {"p": P_TRUE}, size=200, repeats=100, rng=3)
    assert estimates.shape == (100, 1)
    assert estimates.mean() == pytest.approx(P_TRUE, rel=0.03)
    rng = np.random.default_rng(3)
    assert estimates[0, 0] == mle_core.fit("geometric", mle_core.sample("geometric", 200, rng, p=P_TRUE))["p"]


def test_closed_forms_are_used_when_declared():
    calls = []

    def derivatives(stats_, p):
        calls.append(p)
        return extra_family.derivatives(stats_, p)

    counting = dataclasses.replace(extra_family.FAMILY_WITH_CLOSED_FORMS, derivatives=derivatives)
    with mle_core.registered_family(counting):
        inf.standard_errors("geometric", DATA)
    assert calls == [P_HAT]
    with mle_core.registered_family(extra_family.FAMILY):
        inf.standard_errors("geometric", DATA)
    assert calls == [P_HAT]  # the family without closed forms took the numerical path


# --- the registry ---------------------------------------------------------------------------------------


def test_registering_and_unregistering():
    assert "geometric" not in mle_core.FAMILIES
    with pytest.raises(ValueError, match="unknown family 'geometric'"):
        mle_core.get_family("geometric")
    assert mle_core.register_family(extra_family.FAMILY) is extra_family.FAMILY
    try:
        assert mle_core.register_family(extra_family.FAMILY) is extra_family.FAMILY  # again: no change
        assert list(mle_core.FAMILIES).count("geometric") == 1
        with pytest.raises(ValueError, match="different family is already registered as 'geometric'"):
            mle_core.register_family(extra_family.FAMILY_WITH_CLOSED_FORMS)
        assert mle_core.get_family("geometric") is extra_family.FAMILY
        with mle_core.registered_family(extra_family.FAMILY):  # already there: left registered afterwards
            pass
        assert mle_core.get_family("geometric") is extra_family.FAMILY
    finally:
        assert mle_core.unregister_family("geometric") is extra_family.FAMILY
    assert "geometric" not in mle_core.FAMILIES
    with pytest.raises(ValueError, match="unknown family 'geometric'"):
        mle_core.unregister_family("geometric")


def test_registry_refusals():
    builtin = [family.name for family in mle_core.BUILT_IN_FAMILIES]
    assert (
        list(mle_core.FAMILIES) == builtin == ["gaussian", "bernoulli", "binomial", "poisson", "exponential", "weibull"]
    )
    with pytest.raises(ValueError, match="built-in gaussian family cannot be unregistered"):
        mle_core.unregister_family("gaussian")
    with pytest.raises(ValueError, match="different family is already registered as 'gaussian'"):
        mle_core.register_family(dataclasses.replace(extra_family.FAMILY, name="gaussian"))
    with pytest.raises(TypeError, match=r"takes a mle_core\.Family"):
        mle_core.register_family("geometric")
    with pytest.raises(ValueError, match="non-empty name"):
        mle_core.register_family(dataclasses.replace(extra_family.FAMILY, name=""))
    # A block that fails still leaves the registry as it was.
    with pytest.raises(RuntimeError), mle_core.registered_family(extra_family.FAMILY):
        raise RuntimeError
    assert list(mle_core.FAMILIES) == builtin
