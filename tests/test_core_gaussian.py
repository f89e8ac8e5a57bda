"""Known-answer unit tests for the Gaussian family of ``mle_core``.

The oracle throughout is ``scipy.stats.norm`` (an independent implementation) or a hand
calculation. Tests marked ``xfail(strict=True)`` with a reason starting "BUG" document a defect
found in ``mle_core`` while writing them: they assert the correct behaviour, fail today, and will
turn into an XPASS error (so the marker must be removed) once the defect is fixed.
"""

from __future__ import annotations

import math
import statistics
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from scipy import stats

import mle_core
from mle_core import GaussianStatistics

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]  # the data set of the seed document


@contextmanager
def no_warnings():
    """Turn *every* warning into an error, whichever module issues it.

    The pytest configuration only escalates RuntimeWarnings attributed to ``mle_core``; numpy
    attributes some (e.g. an overflow inside ``ndarray.mean``) to its own modules, which that
    filter does not see.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- the seed document's example -------------------------------------------------------------


def test_fit_example_data_known_answer():
    estimate = mle_core.fit("gaussian", EXAMPLE)
    assert set(estimate) == {"mu", "sigma"}
    assert estimate["mu"] == pytest.approx(2.24, rel=1e-15)
    # Population standard deviation (divide by n = 5): Σ(xᵢ − 2.24)² = 0.792, √(0.792 / 5).
    assert round(estimate["sigma"], 4) == 0.3980
    assert estimate["sigma"] == pytest.approx(math.sqrt(0.792 / 5), rel=1e-14)
    assert estimate["sigma"] == pytest.approx(float(np.std(EXAMPLE, ddof=0)), rel=1e-14)


def test_fit_result_example_data():
    result = mle_core.fit_result("gaussian", EXAMPLE)
    assert result.converged is True
    assert result.message == ""
    mu_hat, sigma_hat = result.params["mu"], result.params["sigma"]
    n = len(EXAMPLE)
    # At the maximum ℓ(μ̂, σ̂) = −(n/2)(ln 2π + 1) − n ln σ̂ …
    closed_form = -0.5 * n * (math.log(2 * math.pi) + 1) - n * math.log(sigma_hat)
    assert result.log_likelihood == pytest.approx(closed_form, rel=1e-14)
    # … which is what scipy sums point by point.
    expected = stats.norm.logpdf(EXAMPLE, mu_hat, sigma_hat).sum()
    assert result.log_likelihood == pytest.approx(expected, rel=1e-14)


def test_fit_returns_a_plain_independent_dict():
    first = mle_core.fit("gaussian", EXAMPLE)
    first["mu"] = 99.0
    assert mle_core.fit("gaussian", EXAMPLE)["mu"] == pytest.approx(2.24)
    with pytest.raises(TypeError):
        mle_core.fit_result("gaussian", EXAMPLE).params["mu"] = 0.0  # read-only mapping


@pytest.mark.parametrize(
    ("container", "rel"),
    [(list, 1e-14), (tuple, 1e-14), (np.array, 1e-14), (lambda d: np.array(d, dtype=np.float32), 1e-7)],
    ids=["list", "tuple", "ndarray", "float32"],
)
def test_fit_accepts_any_sequence_of_numbers(container, rel):
    estimate = mle_core.fit("gaussian", container(EXAMPLE))
    assert estimate["mu"] == pytest.approx(2.24, rel=rel)
    assert estimate["sigma"] == pytest.approx(math.sqrt(0.792 / 5), rel=rel)


def test_log_likelihood_at_standard_normal_matches_scipy():
    ours = mle_core.log_likelihood("gaussian", EXAMPLE, mu=0.0, sigma=1.0)
    assert isinstance(ours, float)
    assert ours == pytest.approx(stats.norm.logpdf(EXAMPLE, 0.0, 1.0).sum(), rel=1e-14)
    assert round(ours, 3) == -17.535


@pytest.mark.parametrize(("mu", "sigma"), [(0.0, 1.0), (2.24, 0.398), (-3.0, 0.05), (10.0, 25.0)])
def test_log_densities_match_scipy_point_by_point(mu, sigma):
    ours = mle_core.log_densities("gaussian", EXAMPLE, mu=mu, sigma=sigma)
    assert isinstance(ours, np.ndarray)
    assert ours.shape == (len(EXAMPLE),)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, stats.norm.logpdf(EXAMPLE, mu, sigma), rtol=1e-14)
    total = mle_core.log_likelihood("gaussian", EXAMPLE, mu=mu, sigma=sigma)
    assert total == pytest.approx(math.fsum(ours), rel=1e-13)


def test_integer_and_scalar_data():
    assert mle_core.fit("gaussian", [1, 2, 3, 4])["mu"] == 2.5
    # A bare number is one observation.
    assert mle_core.log_likelihood("gaussian", 2.0, mu=2.0, sigma=1.0) == pytest.approx(stats.norm.logpdf(0.0))


# --- sufficient statistics as input -----------------------------------------------------------


def test_log_likelihood_from_statistics_equals_from_raw_data():
    sufficient = mle_core.sufficient_statistics("gaussian", EXAMPLE)
    assert isinstance(sufficient, GaussianStatistics)
    assert sufficient == GaussianStatistics.from_observations(EXAMPLE)
    for mu, sigma in [(0.0, 1.0), (2.24, 0.398), (-1.0, 3.0)]:
        from_raw = mle_core.log_likelihood("gaussian", EXAMPLE, mu=mu, sigma=sigma)
        from_stats = mle_core.log_likelihood("gaussian", sufficient, mu=mu, sigma=sigma)
        assert from_stats == from_raw  # the same statistics, the same arithmetic


def test_fit_from_statistics_equals_fit_from_raw_data():
    sufficient = GaussianStatistics.from_observations(EXAMPLE)
    assert mle_core.fit("gaussian", sufficient) == mle_core.fit("gaussian", EXAMPLE)


def test_family_object_is_accepted_in_place_of_its_name():
    family = mle_core.get_family("gaussian")
    assert mle_core.get_family(family) is family
    assert mle_core.fit(family, EXAMPLE) == mle_core.fit("gaussian", EXAMPLE)
    assert family.parameter_names == ("mu", "sigma")


# --- degenerate samples: σ̂ = 0, no finite maximum -------------------------------------------


@pytest.mark.parametrize(
    "data",
    [[3.0], [0.0], [-7.25], [2.0, 2.0], [0.1] * 7, [0.0] * 3, [-1e6] * 4, [1e-300] * 5],
    ids=["one", "one-zero", "one-negative", "two-equal", "seven-0.1", "zeros", "big", "tiny"],
)
def test_degenerate_samples_have_no_finite_maximum(data):
    result = mle_core.fit_result("gaussian", data)
    assert result.converged is False
    assert result.params["mu"] == data[0]
    assert result.params["sigma"] == 0.0
    assert result.log_likelihood == math.inf
    assert "equal" in result.message
    assert "no finite maximum" in result.message
    assert mle_core.fit("gaussian", data) == {"mu": data[0], "sigma": 0.0}


# --- invalid input: ValueError with a useful message -------------------------------------------


@pytest.mark.parametrize("sigma", [0.0, -0.0, -1.0, -1e-300, -math.inf])
def test_non_positive_sigma_is_refused(sigma):
    pattern = r"sigma must (lie in \(0, ∞\)|be finite)"
    with pytest.raises(ValueError, match=pattern):
        mle_core.log_likelihood("gaussian", EXAMPLE, mu=0.0, sigma=sigma)
    with pytest.raises(ValueError, match=pattern):
        mle_core.log_densities("gaussian", EXAMPLE, mu=0.0, sigma=sigma)


@pytest.mark.parametrize("sigma", [math.nan, math.inf, np.float64("nan")])
def test_non_finite_sigma_is_refused(sigma):
    with pytest.raises(ValueError, match=r"sigma must be finite"):
        mle_core.log_likelihood("gaussian", EXAMPLE, mu=0.0, sigma=sigma)


@pytest.mark.parametrize("mu", [math.nan, math.inf, -math.inf])
def test_non_finite_mu_is_refused(mu):
    with pytest.raises(ValueError, match=r"mu must be finite"):
        mle_core.log_likelihood("gaussian", EXAMPLE, mu=mu, sigma=1.0)


@pytest.mark.parametrize("sigma", ["wide", None, [1.0]])
def test_non_numeric_parameter_is_refused(sigma):
    with pytest.raises(ValueError, match=r"sigma must be a number"):
        mle_core.log_likelihood("gaussian", EXAMPLE, mu=0.0, sigma=sigma)


def test_numeric_strings_and_numpy_scalars_are_accepted_as_parameters():
    expected = mle_core.log_likelihood("gaussian", EXAMPLE, mu=0.0, sigma=1.0)
    assert mle_core.log_likelihood("gaussian", EXAMPLE, mu=np.float32(0), sigma="1") == expected


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        ([1.0, math.nan], r"finite numbers; found nan at index 1"),
        ([math.inf, 2.0], r"finite numbers; found inf at index 0"),
        ([1.0, 2.0, -math.inf], r"finite numbers; found -inf at index 2"),
        (np.array([math.nan] * 8), r"nan at index 0, .*nan at index 4 and 3 more"),
    ],
    ids=["nan", "inf", "-inf", "many-nan"],
)
@pytest.mark.parametrize("call", ["fit", "fit_result", "log_likelihood", "log_densities", "statistics"])
def test_non_finite_data_is_refused(data, pattern, call):
    with pytest.raises(ValueError, match=pattern):
        _call(call, data)


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        ("2.3, 1.9, 2.5", r"not a string"),
        (b"2.3", r"not a string"),
        (["2.3", "a"], r"observations must be numbers"),
        ([1.0, "x"], r"observations must be numbers"),
        ([1.0, None], r"finite numbers; found nan at index 1"),  # numpy turns None into nan
        ([[1.0, 2.0], [3.0]], r"observations must be numbers"),  # ragged
        ({"a": 1.0}, r"observations must be numbers"),
    ],
    ids=["str", "bytes", "text-list", "mixed", "none", "ragged", "dict"],
)
@pytest.mark.parametrize("call", ["fit", "log_likelihood", "log_densities", "statistics"])
def test_text_and_other_non_numbers_are_refused(data, pattern, call):
    with pytest.raises(ValueError, match=pattern):
        _call(call, data)


@pytest.mark.parametrize("data", [[[1.0, 2.0], [3.0, 4.0]], np.zeros((3, 1)), np.zeros((1, 1, 2))])
@pytest.mark.parametrize("call", ["fit", "log_likelihood", "log_densities", "statistics"])
def test_multidimensional_data_is_refused(data, call):
    with pytest.raises(ValueError, match=r"flat sequence of numbers, got shape \("):
        _call(call, data)


@pytest.mark.parametrize("data", [[], (), np.array([]), GaussianStatistics()], ids=repr)
def test_fit_to_empty_data_is_refused(data):
    with pytest.raises(ValueError, match=r"cannot fit the gaussian family to no observations"):
        mle_core.fit("gaussian", data)
    with pytest.raises(ValueError, match=r"no observations: add at least one"):
        mle_core.fit_result("gaussian", data)


@pytest.mark.parametrize("data", [[], np.array([]), GaussianStatistics()], ids=repr)
def test_empty_data_has_log_likelihood_zero(data):
    value = mle_core.log_likelihood("gaussian", data, mu=1.0, sigma=2.0)
    assert value == 0.0
    assert isinstance(value, float)


def test_empty_data_has_no_log_densities():
    densities = mle_core.log_densities("gaussian", [], mu=0.0, sigma=1.0)
    assert densities.shape == (0,)


@pytest.mark.parametrize("family", ["cauchy", "Gaussian", "", None, 3])
def test_unknown_family_is_refused(family):
    pattern = r"unknown family .*; choose one of: gaussian"
    with pytest.raises(ValueError, match=pattern):
        mle_core.fit(family, EXAMPLE)
    with pytest.raises(ValueError, match=pattern):
        mle_core.log_likelihood(family, EXAMPLE, mu=0.0, sigma=1.0)
    with pytest.raises(ValueError, match=pattern):
        mle_core.get_family(family)


@pytest.mark.parametrize("call", ["log_likelihood", "log_densities"])
def test_unknown_parameter_is_refused(call):
    function = getattr(mle_core, call)
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) tau for the gaussian family"):
        function("gaussian", EXAMPLE, mu=0.0, sigma=1.0, tau=2.0)
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) mean, sd .*takes mu, sigma"):
        function("gaussian", EXAMPLE, mean=0.0, sd=1.0)


@pytest.mark.parametrize(
    ("params", "missing"),
    [({"mu": 0.0}, "sigma"), ({"sigma": 1.0}, "mu"), ({}, "mu, sigma")],
)
@pytest.mark.parametrize("call", ["log_likelihood", "log_densities"])
def test_missing_parameter_is_refused(call, params, missing):
    function = getattr(mle_core, call)
    with pytest.raises(ValueError, match=rf"the gaussian family needs parameter\(s\) {missing}$"):
        function("gaussian", EXAMPLE, **params)


def _call(name, data):
    if name == "fit":
        return mle_core.fit("gaussian", data)
    if name == "fit_result":
        return mle_core.fit_result("gaussian", data)
    if name == "log_likelihood":
        return mle_core.log_likelihood("gaussian", data, mu=0.0, sigma=1.0)
    if name == "log_densities":
        return mle_core.log_densities("gaussian", data, mu=0.0, sigma=1.0)
    if name == "statistics":
        return mle_core.sufficient_statistics("gaussian", data)
    raise AssertionError(name)


# --- extreme but valid input: no RuntimeWarning, no nan ----------------------------------------


def test_log_densities_far_in_the_tails_are_minus_inf_not_nan():
    # |x − μ|/σ = 1e160: its square overflows, and the density is 0 to every digit a float has.
    with no_warnings():
        densities = mle_core.log_densities("gaussian", [1e150, -1e150, 1e145, 0.0], mu=0.0, sigma=1e-10)
    assert densities[0] == densities[1] == densities[2] == -math.inf
    assert densities[3] == pytest.approx(stats.norm.logpdf(0.0, 0.0, 1e-10))


def test_log_likelihood_of_extreme_data_in_the_tails_is_minus_inf():
    # S = 5e299 is finite, S/σ² and n(x̄ − μ)²/σ² overflow to inf: ℓ = −inf, exactly as ln f → −inf.
    with no_warnings():
        value = mle_core.log_likelihood("gaussian", [1e150, 3.0], mu=0.0, sigma=1e-10)
    assert value == -math.inf
    with np.errstate(over="ignore"):  # scipy squares z = 1e160 itself
        assert stats.norm.logpdf([1e150, 3.0], 0.0, 1e-10).sum() == -math.inf


def test_log_likelihood_with_very_wide_sigma_matches_scipy():
    # σ² = 1e400 overflows to inf, yet S/σ² → 0 is the right limit.
    with no_warnings():
        ours = mle_core.log_likelihood("gaussian", EXAMPLE, mu=0.0, sigma=1e200)
        densities = mle_core.log_densities("gaussian", EXAMPLE, mu=0.0, sigma=1e200)
    expected = stats.norm.logpdf(EXAMPLE, 0.0, 1e200)
    assert ours == pytest.approx(expected.sum(), rel=1e-14)
    np.testing.assert_allclose(densities, expected, rtol=1e-14)


def test_log_densities_with_very_narrow_sigma():
    with no_warnings():
        densities = mle_core.log_densities("gaussian", [1.0, 2.0], mu=1.0, sigma=1e-200)
    assert densities[0] == pytest.approx(-0.5 * math.log(2 * math.pi) + 200 * math.log(10), rel=1e-14)
    assert densities[1] == -math.inf


def test_fit_of_data_around_1e8_with_tiny_spread():
    data = [1e8 + 0.001, 1e8 - 0.001, 1e8 + 0.002, 1e8 - 0.003]
    with no_warnings():
        estimate = mle_core.fit("gaussian", data)
    # The standard library computes mean and variance with exact rational arithmetic.
    assert estimate["mu"] == pytest.approx(statistics.fmean(data), abs=math.ulp(1e8))
    assert estimate["sigma"] == pytest.approx(statistics.pstdev(data), rel=1e-12)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([1.0, 2.0], -math.inf),  # the observations are far from μ in units of σ
        ([0.0], -0.5 * math.log(2 * math.pi) + 200 * math.log(10)),  # x = μ: ℓ = −½ln 2π − ln σ
    ],
)
def test_log_likelihood_with_very_narrow_sigma(data, expected):
    with no_warnings():
        value = mle_core.log_likelihood("gaussian", data, mu=0.0, sigma=1e-200)
    assert value == pytest.approx(expected, rel=1e-14)


# Observations beyond ±1e150 are refused by design (their squares, summed over many points, would
# overflow float64); the limit is enforced with a message naming the values, on every path.
@pytest.mark.parametrize(
    "call",
    [
        lambda data: mle_core.fit("gaussian", data),
        lambda data: mle_core.log_likelihood("gaussian", data, mu=0.0, sigma=1.0),
        lambda data: mle_core.log_densities("gaussian", data, mu=0.0, sigma=1.0),
        lambda data: GaussianStatistics().extend(data),
    ],
    ids=["fit", "log_likelihood", "log_densities", "extend"],
)
@pytest.mark.parametrize("data", [[1e200, 2e200], [3.0, 1e308], [-1.5e150, 0.0]], ids=["1e200", "1e308", "-1.5e150"])
def test_observations_beyond_1e150_are_refused_by_name(call, data):
    with no_warnings(), pytest.raises(ValueError, match=r"within ±10¹⁵⁰; found .* at index"):
        call(data)


@pytest.mark.parametrize("bad", [1e200, -1e308])
def test_incremental_updates_refuse_observations_beyond_1e150(bad):
    with pytest.raises(ValueError, match="within ±10¹⁵⁰"):
        GaussianStatistics().add(bad)
    with pytest.raises(ValueError, match="within ±10¹⁵⁰"):
        GaussianStatistics(2, 0.0, 2.0).replace(1.0, bad)


def test_fit_of_data_at_the_magnitude_limit():
    data = [1e150, 5e149, -1e150]
    with no_warnings():
        result = mle_core.fit_result("gaussian", data)
    assert result.params["mu"] == pytest.approx(statistics.fmean(data), rel=1e-15)
    assert result.params["sigma"] == pytest.approx(statistics.pstdev(data), rel=1e-14)
    assert result.converged is True
    expected = stats.norm.logpdf(data, result.params["mu"], result.params["sigma"]).sum()
    assert result.log_likelihood == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("x", "mu", "sigma"), [(1e150, -1e150, 1e-300), (1e150, 0.0, 1e-10)])
def test_log_densities_without_overflow_warning(x, mu, sigma):
    with no_warnings():
        densities = mle_core.log_densities("gaussian", [x], mu=mu, sigma=sigma)
    assert densities[0] == -math.inf


@pytest.mark.parametrize(
    "data",
    [[1e8, 1e8 + 1e-5], [1.0, 1.0 + 2**-40], [1.0, 1.0 + 2**-52], [1.0, 1.0 - 2**-53], [0.1] * 40 + [0.1 + 2**-56]],
    ids=["1e8", "1", "1-last-bit", "1-last-bit-below", "0.1-many"],
)
def test_distinct_observations_are_not_called_equal(data):
    result = mle_core.fit_result("gaussian", data)
    # statistics.pstdev is exact (rational arithmetic); scipy's norm.fit is off by 1e-6 on [1e8, 1e8 + 1e-5]
    # because it squares deviations from a rounded mean.
    expected_sigma = statistics.pstdev(data)
    assert result.converged is True
    assert result.params["sigma"] == pytest.approx(expected_sigma, rel=1e-12)


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="LIMITATION mle_core.gaussian: for a spread below ~1e-154 the squared deviations are subnormal, so "
    "S = Σ(xᵢ − x̄)² (np.dot) and σ̂·σ̂ in log_likelihood lose precision or underflow to 0: "
    "[0, 1.575e-159] gives ℓ(θ̂) = 729.86163992 instead of 729.86164301 (found by hypothesis), "
    "[1e-300, 2e-300] gives σ̂ = 0 and 'all observations are equal'",
)
@pytest.mark.parametrize("data", [[0.0, 1.5752546260716193e-159], [1e-300, 2e-300]], ids=["1e-159", "1e-300"])
def test_fit_of_data_with_spread_below_1e_154(data):
    result = mle_core.fit_result("gaussian", data)
    # The standard library's pstdev works in exact rational arithmetic.
    assert result.params["sigma"] == pytest.approx(statistics.pstdev(data), rel=1e-12)
    assert result.converged is True
    expected = stats.norm.logpdf(data, result.params["mu"], result.params["sigma"]).sum()
    assert result.log_likelihood == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("data", "mu", "sigma"),
    [([4e-277], 0.0, 1e-300), ([0.0, 0.0], 1e-170, 1e-300), ([1.0, 1.0 + 2**-52], 1.0, 1e-160)],
    ids=["offset-4e-277", "mu-1e-170", "last-bit"],
)
def test_log_likelihood_divides_before_squaring(data, mu, sigma):
    # (x̄ − μ)² underflowed to 0 before the division by σ², so ℓ from the statistics was +689.9 where the
    # densities add up to −8e46.
    with no_warnings():
        from_statistics = mle_core.log_likelihood("gaussian", data, mu=mu, sigma=sigma)
        point_by_point = mle_core.log_densities("gaussian", data, mu=mu, sigma=sigma).sum()
    assert from_statistics == pytest.approx(point_by_point, rel=1e-12)


def test_log_likelihood_at_the_smallest_sigma_is_minus_inf_not_nan():
    # S/σ² and 2r/σ both overflow at σ = 5e-324, and inf − inf gave ℓ = nan (so a likelihood-ratio test at σ₀ =
    # 5e-324 had p = nan); the densities add up to −inf.
    data = [1006.3, 993.4, 1032.0, 1005.2, 973.2]
    with no_warnings():
        assert mle_core.log_likelihood("gaussian", data, mu=0.0, sigma=5e-324) == -math.inf
        grid = mle_core.log_likelihood("gaussian", data, mu=np.array([0.0, 1000.0]), sigma=np.array([5e-324, 5e-324]))
    assert grid.tolist() == [-math.inf, -math.inf]
