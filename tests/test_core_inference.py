"""Tests of ``mle_core.inference``: derivatives, standard errors, intervals, tests, climbs, grids.

Oracles: ``scipy.stats`` log-densities summed point by point, ``scipy.differentiate`` (numerical
derivatives), ``scipy.optimize`` (profile maximisation, roots), ``statsmodels``'
``GenericLikelihoodModel`` (standard errors and Wald intervals) and hand calculations.

Most tests run over every family registered in ``mle_core.FAMILIES`` (so a family added later is
covered without edits; one that lacks what a test needs is skipped with the reason) and over
``gaussian-numeric``: the Gaussian under another name and without its closed forms, so that it goes
through the generic numerical derivatives and the generic profile maximiser.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import statistics
import subprocess
import sys
import tomllib
import warnings
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import differentiate, optimize, stats
from statsmodels.base.model import GenericLikelihoodModel

import mle_core
from mle_core import Family
from mle_core import inference as inf

EXAMPLE = [2.3, 1.9, 2.5, 2.8, 1.7]  # the data set of the seed document
HALF_CHI2_95 = 1.920729410347062  # scipy.stats.chi2.ppf(0.95, 1) / 2
NEWTON_STEPS_FROM_DEFAULT = 9  # measured: Newton from (μ, σ) = (0, 1) on EXAMPLE, the last step moving < 1e-15
GRADIENT_STEPS_FROM_DEFAULT = 35  # measured: gradient ascent, η = 1/(largest curvature) at every step


@contextmanager
def no_warnings():
    """Turn every warning into an error, whichever module issues it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


GAUSSIAN = mle_core.get_family("gaussian")
#: The Gaussian under another name and without its closed forms (``Family.derivatives``, ``profile``, …):
#: ``inference`` takes the numerical derivatives and the generic profile maximiser for it.
NUMERIC_GAUSSIAN = dataclasses.replace(GAUSSIAN.without_closed_forms(), name="gaussian-numeric")

REGISTERED = [pytest.param(mle_core.FAMILIES[name], id=name) for name in mle_core.FAMILIES]
ALL_FAMILIES = [*REGISTERED, pytest.param(NUMERIC_GAUSSIAN, id="gaussian-numeric")]

#: scipy's ln f(x | θ) for the families we know, used when the family's parameter names match.
SCIPY_LOGPDF = {
    "gaussian": (("mu", "sigma"), lambda x, c, mu, sigma: stats.norm.logpdf(x, mu, sigma)),
    "gaussian-numeric": (("mu", "sigma"), lambda x, c, mu, sigma: stats.norm.logpdf(x, mu, sigma)),
    "bernoulli": (("p",), lambda x, c, p: stats.bernoulli.logpmf(x, p)),
    "binomial": (("p",), lambda x, c, p: stats.binom.logpmf(x, c["n_trials"], p)),
    "poisson": (("rate",), lambda x, c, rate: stats.poisson.logpmf(x, rate)),
    "exponential": (("rate",), lambda x, c, rate: stats.expon.logpdf(x, scale=1.0 / rate)),
    "weibull": (("shape", "scale"), lambda x, c, shape, scale: stats.weibull_min.logpdf(x, shape, scale=scale)),
}


def defaults(family: Family) -> dict[str, float]:
    return {p.name: p.default for p in family.parameters}


def draw(family: Family, rng: np.random.Generator, size: int) -> np.ndarray:
    """Observations from the family (at its default parameters and constants), or skip saying why not."""
    if family.name in ("gaussian", "gaussian-numeric"):
        return rng.normal(2.0, 0.5, size)
    if getattr(family, "sample", None) is None:
        pytest.skip(f"{family.name}: Family.sample does not exist, so there is no data to test on")
    return mle_core.sample(family, size, rng, **defaults(family))


def constants_of(family: Family) -> dict:
    return family.check_constants({}) if hasattr(family, "check_constants") else {}


def oracle(family: Family, x: np.ndarray):
    """ℓ(θ) summed point by point, θ a vector in ``family.parameters`` order, and where it comes from.

    scipy.stats where we know the family, otherwise the family's own ``log_densities`` (a per-point
    path, independent of the sufficient statistics that ``inference`` uses).
    """
    names = family.parameter_names
    constants = constants_of(family)
    known = SCIPY_LOGPDF.get(family.name)
    if known is not None and known[0] == names:
        logpdf, source = known[1], "scipy.stats"
    else:

        def logpdf(data, c, *values):
            return family.log_densities(data, **dict(zip(names, values, strict=True)), **c)

        source = f"{family.name}.log_densities"

    def total(theta) -> float:
        theta = [float(v) for v in theta]
        with np.errstate(all="ignore"):
            return float(np.sum(logpdf(x, constants, *theta)))

    return total, source


def vectorised(total, k: int):
    """Wrap a scalar ℓ(θ) for scipy.differentiate, which evaluates arrays of points at once."""

    def f(points):
        points = np.asarray(points, dtype=float)
        flat = points.reshape(k, -1)
        values = np.array([total(flat[:, i]) for i in range(flat.shape[1])])
        return values.reshape(points.shape[1:])

    return f


def statistics_of(family: Family, x):
    return mle_core.sufficient_statistics(family, x)


def mle_vector(family: Family, x) -> np.ndarray:
    fit = mle_core.fit_result(family, statistics_of(family, x))
    return np.array([fit.params[n] for n in family.parameter_names])


def room(family: Family, theta: np.ndarray) -> float:
    """The smallest distance from θ to a bound (or |θ|, or 1): a safe step for a finite difference."""
    distances = []
    for p, v in zip(family.parameters, theta, strict=True):
        distances += [v - p.lower, p.upper - v, abs(v) or 1.0]
    return float(min(distances))


# --- χ²₁ without scipy -------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1 - 1e-9])
def test_chi2_1_quantile_matches_scipy(level):
    assert inf.chi2_1_quantile(level) == pytest.approx(stats.chi2.ppf(level, 1), rel=1e-12)


def test_half_chi2_95_is_the_profile_drop():
    assert inf.chi2_1_quantile(0.95) / 2 == pytest.approx(HALF_CHI2_95, rel=1e-15)
    assert inf.profile_interval("gaussian", EXAMPLE, "mu").critical_value == pytest.approx(HALF_CHI2_95, rel=1e-15)


@pytest.mark.parametrize("x", [1e-12, 0.01, 0.5, 1.0, 3.841458820694124, 10.0, 50.0, 700.0])
def test_chi2_1_sf_matches_scipy(x):
    assert inf.chi2_1_sf(x) == pytest.approx(stats.chi2.sf(x, 1), rel=1e-12)


def test_chi2_1_sf_edges_and_quantile_refusals():
    assert inf.chi2_1_sf(0.0) == 1.0
    assert inf.chi2_1_sf(math.inf) == 0.0
    assert math.isnan(inf.chi2_1_sf(math.nan))
    for bad in (0.0, 1.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="level"):
            inf.chi2_1_quantile(bad)


def test_inference_does_not_import_scipy():
    # The static Pyodide page must not have to download scipy to show an interval.
    code = "import sys, mle_core.inference; print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"


def test_every_mle_core_package_is_installed():
    # setuptools installs only the packages pyproject.toml lists: a subpackage missing there is missing
    # from the wheel, and so from the static page, though an editable install still finds it.
    root = Path(__file__).resolve().parents[1]
    listed = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = {".".join(init.parent.relative_to(root).parts) for init in (root / "mle_core").rglob("__init__.py")}
    assert "mle_core.inference" in found
    assert found <= set(listed)


# --- score and observed information -----------------------------------------------------------------


def test_gaussian_score_known_answer():
    # ∂ℓ/∂μ = Σxᵢ = 11.2 and ∂ℓ/∂σ = −n + Σxᵢ² = −5 + 25.88 at (0, 1).
    result = inf.score("gaussian", EXAMPLE, mu=0.0, sigma=1.0)
    assert set(result) == {"mu", "sigma"}
    assert result["mu"] == pytest.approx(11.2, rel=1e-14)
    assert result["sigma"] == pytest.approx(20.88, rel=1e-14)


def test_gaussian_information_at_the_mle_is_diagonal():
    mle = mle_core.fit("gaussian", EXAMPLE)
    n, s = len(EXAMPLE), mle["sigma"]
    info = inf.observed_information("gaussian", EXAMPLE, **mle)
    assert info.shape == (2, 2)
    assert info[0, 0] == pytest.approx(n / s**2, rel=1e-13)
    assert info[1, 1] == pytest.approx(2 * n / s**2, rel=1e-13)
    assert abs(info[0, 1]) < 1e-12 * n / s**2
    assert info[0, 1] == info[1, 0]
    score = inf.score("gaussian", EXAMPLE, **mle)
    assert abs(score["mu"]) < 1e-12
    assert abs(score["sigma"]) < 1e-12


def test_closed_forms_are_used_where_a_family_declares_them_and_only_there():
    calls = []

    def counted(name):
        def hook(*args, **kwargs):
            calls.append(name)
            return getattr(GAUSSIAN, name)(*args, **kwargs)

        return hook

    counting = dataclasses.replace(GAUSSIAN, **{name: counted(name) for name in mle_core.CLOSED_FORMS})
    inf.score(counting, EXAMPLE, mu=2.0, sigma=0.5)
    inf.score_test(counting, EXAMPLE, "mu", 2.0)
    inf.profile_interval(counting, EXAMPLE, "sigma")
    inf.sampling_distribution(counting, {"mu": 2.0, "sigma": 0.5}, size=5, repeats=3, rng=1)
    assert set(calls) == set(mle_core.CLOSED_FORMS)
    # The numeric twin declares none, and its numbers come from another computation (equal to ~1e-9, not bitwise).
    assert all(getattr(NUMERIC_GAUSSIAN, name) is None for name in mle_core.CLOSED_FORMS)
    exact = inf.observed_information(GAUSSIAN, EXAMPLE, mu=2.0, sigma=0.5)
    numeric = inf.observed_information(NUMERIC_GAUSSIAN, EXAMPLE, mu=2.0, sigma=0.5)
    np.testing.assert_allclose(numeric, exact, rtol=1e-8, atol=1e-8)
    assert not np.array_equal(numeric, exact)
    # Without a closed form for the expected information the score test uses the observed one.
    assert inf.score_test(NUMERIC_GAUSSIAN, EXAMPLE, "mu", 2.0).information == "observed"
    assert inf.score_test(GAUSSIAN, EXAMPLE, "mu", 2.0).information == "expected"


@pytest.mark.parametrize("family", ALL_FAMILIES)
@pytest.mark.parametrize("where", ["mle", "off"])
def test_score_and_information_match_scipy_differentiate(family, where):
    x = draw(family, np.random.default_rng(11), 40)
    total, _ = oracle(family, x)
    theta = mle_vector(family, x)
    if where == "off":
        theta = theta * np.array([1.1, 0.8])[: theta.size]
    k = theta.size
    step = 0.05 * room(family, theta)
    f = vectorised(total, k)
    hessian = differentiate.hessian(f, theta, initial_step=step)
    gradient = differentiate.jacobian(f, theta, initial_step=step)
    named = dict(zip(family.parameter_names, theta, strict=True))
    ours_info = inf.observed_information(family, statistics_of(family, x), **named)
    ours_score = inf.score(family, statistics_of(family, x), **named)
    scale = np.sqrt(np.abs(np.outer(np.diag(hessian.ddf), np.diag(hessian.ddf))))
    np.testing.assert_allclose(-ours_info, hessian.ddf, rtol=0, atol=1e-6 * scale.max())
    np.testing.assert_allclose(np.diag(-ours_info), np.diag(hessian.ddf), rtol=1e-7)
    natural = np.sqrt(np.abs(np.diag(hessian.ddf)))  # the slope at which ℓ changes by 1 over one SE
    for j, name in enumerate(family.parameter_names):
        assert ours_score[name] == pytest.approx(gradient.df[j], abs=1e-6 * natural[j])


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.floats(-1e4, 1e4), min_size=2, max_size=50).filter(lambda d: statistics.pstdev(d) > 1e-6),
    shift=st.floats(-3.0, 3.0),
    stretch=st.floats(0.05, 20.0),
)
# Found by hypothesis: two quotients at tiny steps rounded to the same value, and their error estimate of 0 won.
@example(data=[0.0, 0.5], shift=1.7608554599208848, stretch=1.8125)
def test_numeric_derivatives_agree_with_the_closed_forms(data, shift, stretch):
    sufficient = mle_core.sufficient_statistics("gaussian", data)
    mle = mle_core.fit("gaussian", sufficient)
    theta = {"mu": mle["mu"] + shift * mle["sigma"], "sigma": mle["sigma"] * stretch}
    with no_warnings():
        exact_info = inf.observed_information(GAUSSIAN, sufficient, **theta)
        numeric_info = inf.observed_information(NUMERIC_GAUSSIAN, sufficient, **theta)
        exact_score = inf.score(GAUSSIAN, sufficient, **theta)
        numeric_score = inf.score(NUMERIC_GAUSSIAN, sufficient, **theta)
    # Compare on each parameter's natural scale: the curvature, and √curvature for the slope.
    scale = np.sqrt(np.abs(np.outer(np.diag(exact_info), np.diag(exact_info))))
    assert np.all(np.abs(numeric_info - exact_info) <= 1e-7 * scale)
    for j, name in enumerate(("mu", "sigma")):
        tolerance = 1e-7 * max(abs(exact_score[name]), math.sqrt(abs(exact_info[j, j])))
        assert abs(numeric_score[name] - exact_score[name]) <= tolerance


@pytest.mark.parametrize(
    ("data", "theta"),
    [
        (list(1e8 + np.random.default_rng(1).normal(0, 1e-3, 20)), {"mu": 1e8, "sigma": 1e-3}),
        (list(np.random.default_rng(2).normal(0, 1e-6, 10)), {"mu": 0.0, "sigma": 1e-6}),
        (list(np.random.default_rng(3).normal(5, 2, 1000)), {"mu": 5.001109391081756, "sigma": 1.9999746399769174}),
    ],
    ids=["mu-1e8", "scale-1e-6", "sigma-just-below-2"],
)
def test_numeric_derivatives_where_steps_are_hard(data, theta):
    # Far from 0 with a tiny spread; a tiny scale; σ just below a power of two (θ ± h round unevenly).
    exact = inf.observed_information(GAUSSIAN, data, **theta)
    numeric = inf.observed_information(NUMERIC_GAUSSIAN, data, **theta)
    scale = np.sqrt(np.abs(np.outer(np.diag(exact), np.diag(exact))))
    assert np.all(np.abs(numeric - exact) <= 1e-7 * scale)


def test_derivatives_on_a_closed_bound_are_nan():
    tails = [0.0] * 6
    assert math.isnan(inf.score("bernoulli", tails, p=0.0)["p"])
    assert np.isnan(inf.observed_information("bernoulli", tails, p=0.0)).all()
    # Inside, the Bernoulli score is k/p − (n − k)/(1 − p) and the information k/p² + (n − k)/(1 − p)².
    assert inf.score("bernoulli", [1.0, 0.0, 0.0], p=0.25)["p"] == pytest.approx(1 / 0.25 - 2 / 0.75, rel=1e-9)
    information = inf.observed_information("bernoulli", [1.0, 0.0, 0.0], p=0.25)
    assert information[0, 0] == pytest.approx(1 / 0.25**2 + 2 / 0.75**2, rel=1e-9)
    # Constants travel with the parameters: the binomial's n_trials.
    binomial = inf.score("binomial", [3.0, 5.0], p=0.5, n_trials=8)["p"]
    assert binomial == pytest.approx(8 / 0.5 - 8 / 0.5, abs=1e-9)
    assert inf.score("binomial", [3.0, 5.0], p=0.25, n_trials=8)["p"] == pytest.approx(8 / 0.25 - 8 / 0.75, rel=1e-9)


def test_derivatives_refuse_parameters_outside_the_space():
    with pytest.raises(ValueError, match="sigma"):
        inf.score("gaussian", EXAMPLE, mu=0.0, sigma=-1.0)
    with pytest.raises(ValueError, match="needs parameter"):
        inf.observed_information("gaussian", EXAMPLE, mu=0.0)


# --- standard errors and Wald intervals against statsmodels -------------------------------------------


def statsmodels_fit(family: Family, x: np.ndarray):
    total, _ = oracle(family, x)
    parameters = family.parameters

    class Model(GenericLikelihoodModel):
        def loglike(self, params):
            if not all(p.lower < v < p.upper for p, v in zip(parameters, params, strict=True)):
                return -np.inf
            return total(params)

    model = Model(x, extra_params_names=list(family.parameter_names))
    start = mle_vector(family, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels' line search probing past a bound
        result = model.fit(start_params=start, method="bfgs", disp=False, gtol=1e-8)
    return result, start


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_standard_errors_and_wald_intervals_match_statsmodels(family, seed):
    x = draw(family, np.random.default_rng(seed), 30 + 10 * seed)
    result, start = statsmodels_fit(family, x)
    np.testing.assert_allclose(result.params, start, rtol=1e-6)
    sufficient = statistics_of(family, x)
    errors = inf.standard_errors(family, sufficient)
    assert list(errors) == list(family.parameter_names)
    bounds = result.conf_int(alpha=0.05)
    for j, name in enumerate(family.parameter_names):
        assert errors[name] == pytest.approx(result.bse[j], rel=1e-4)
        interval = inf.wald_interval(family, sufficient, name)
        assert interval.method == "wald"
        assert interval.standard_error == errors[name]
        assert (interval.lower, interval.upper) == pytest.approx(tuple(bounds[j]), rel=1e-4)


def test_gaussian_standard_errors_closed_form():
    mle = mle_core.fit("gaussian", EXAMPLE)
    n = len(EXAMPLE)
    errors = inf.standard_errors("gaussian", EXAMPLE)
    assert errors["mu"] == pytest.approx(mle["sigma"] / math.sqrt(n), rel=1e-13)
    assert errors["sigma"] == pytest.approx(mle["sigma"] / math.sqrt(2 * n), rel=1e-13)
    interval = inf.wald_interval("gaussian", EXAMPLE, "mu", level=0.9)
    z = stats.norm.ppf(0.95)
    assert interval.lower == pytest.approx(mle["mu"] - z * errors["mu"], rel=1e-13)
    assert interval.upper == pytest.approx(mle["mu"] + z * errors["mu"], rel=1e-13)


@pytest.mark.parametrize("data", [[3.0], [2.0, 2.0, 2.0]])
def test_uncertainty_refused_without_a_finite_mle(data):
    for call in (
        lambda: inf.standard_errors("gaussian", data),
        lambda: inf.wald_interval("gaussian", data, "mu"),
        lambda: inf.profile_interval("gaussian", data, "sigma"),
        lambda: inf.likelihood_ratio_test("gaussian", data, "mu", 0.0),
    ):
        with pytest.raises(ValueError, match="σ̂ = 0"):
            call()


# --- profile-likelihood intervals -------------------------------------------------------------------


def oracle_profile(family: Family, x: np.ndarray, j: int, value: float) -> float:
    """ℓ_p(value) by scipy: bounded Brent over the other parameter (if any) of the oracle ℓ."""
    total, _ = oracle(family, x)
    mle = mle_vector(family, x)
    if mle.size == 1:
        return total([value])
    other = 1 - j
    centre = mle[other]
    parameter = family.parameters[other]
    low, high = (centre / 30, centre * 30) if parameter.lower == 0 else (centre - 30 * x.std(), centre + 30 * x.std())

    def negative(v):
        theta = mle.copy()
        theta[j], theta[other] = value, v
        return -total(theta)

    result = optimize.minimize_scalar(negative, bounds=(low, high), method="bounded", options={"xatol": 1e-13})
    return -result.fun


@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_profile_interval_ends_drop_by_half_chi2(family):
    x = draw(family, np.random.default_rng(5), 25)
    sufficient = statistics_of(family, x)
    top = oracle(family, x)[0](mle_vector(family, x))
    for j, name in enumerate(family.parameter_names):
        interval = inf.profile_interval(family, sufficient, name)
        assert interval.method == "profile"
        assert interval.lower < interval.estimate < interval.upper
        assert not (interval.lower_at_bound)
        assert not (interval.upper_at_bound)
        for end in (interval.lower, interval.upper):
            assert top - oracle_profile(family, x, j, end) == pytest.approx(HALF_CHI2_95, abs=1e-6)


def test_gaussian_profile_intervals_closed_forms():
    x = np.asarray(EXAMPLE)
    n, mean, s2 = x.size, x.mean(), x.var()
    # μ: ℓ̂ − ℓ_p(μ) = (n/2) ln(1 + (μ − x̄)²/σ̂²) = c  ⇒  μ = x̄ ± σ̂ √(exp(2c/n) − 1).
    half_width = math.sqrt(s2 * math.expm1(2 * HALF_CHI2_95 / n))
    mu = inf.profile_interval("gaussian", EXAMPLE, "mu")
    assert mu.lower == pytest.approx(mean - half_width, rel=1e-12)
    assert mu.upper == pytest.approx(mean + half_width, rel=1e-12)
    # σ: ℓ̂ − ℓ_p(σ) = n[ln(σ/σ̂) + σ̂²/(2σ²) − ½] = c, one root on each side of σ̂.

    def drop(sigma):
        return n * (math.log(sigma / math.sqrt(s2)) + s2 / (2 * sigma**2) - 0.5) - HALF_CHI2_95

    sigma = inf.profile_interval("gaussian", EXAMPLE, "sigma")
    assert sigma.lower == pytest.approx(optimize.brentq(drop, 1e-3, math.sqrt(s2), xtol=1e-15), rel=1e-12)
    assert sigma.upper == pytest.approx(optimize.brentq(drop, math.sqrt(s2), 100, xtol=1e-15), rel=1e-12)


@pytest.mark.parametrize("name", ["mu", "sigma"])
def test_generic_profile_interval_equals_the_closed_form(name):
    data = list(np.random.default_rng(8).normal(-3, 4, 12))
    exact = inf.profile_interval(GAUSSIAN, data, name)
    generic = inf.profile_interval(NUMERIC_GAUSSIAN, data, name)
    assert generic.lower == pytest.approx(exact.lower, rel=1e-9)
    assert generic.upper == pytest.approx(exact.upper, rel=1e-9)


def test_sigma_profile_interval_stays_positive_where_wald_crosses_zero():
    data = [0.1, 0.5, 3.0]  # n = 3
    n = len(data)
    sigma_hat = statistics.pstdev(data)
    # The Wald lower end for σ is σ̂(1 − z/√(2n)) whatever the data: below 0 exactly when z > √(2n) = 2.449.
    wald = inf.wald_interval("gaussian", data, "sigma", level=0.99)
    z = stats.norm.ppf(0.995)
    assert wald.lower == pytest.approx(sigma_hat * (1 - z / math.sqrt(2 * n)), rel=1e-12)
    assert wald.lower < 0
    assert wald.leaves_parameter_space
    assert "outside" in wald.message
    profile = inf.profile_interval("gaussian", data, "sigma", level=0.99)
    assert 0 < profile.lower < sigma_hat < profile.upper < math.inf
    assert not profile.leaves_parameter_space
    # Asymmetric: much longer above σ̂ than below, as ℓ_p(σ) falls like −n ln σ on the right only.
    assert profile.upper - sigma_hat > 3 * (sigma_hat - profile.lower)
    # At 95 % (z = 1.96 < √(2n) for every n ≥ 2) Wald stays positive, barely, at n = 2: 0.02 σ̂.
    pair = [1.0, 2.0]
    wald_95 = inf.wald_interval("gaussian", pair, "sigma")
    assert 0 < wald_95.lower == pytest.approx(0.5 * (1 - stats.norm.ppf(0.975) / 2), rel=1e-12)
    assert inf.profile_interval("gaussian", pair, "sigma").lower > 10 * wald_95.lower


def test_profile_interval_end_on_a_closed_bound():
    tails = [0.0] * 8
    interval = inf.profile_interval("bernoulli", tails, "p")
    assert interval.estimate == 0.0
    assert interval.lower == 0.0
    assert interval.lower_at_bound
    assert not interval.upper_at_bound
    # ℓ_p(p) = n ln(1 − p) drops by c at p = 1 − exp(−c/n).
    assert interval.upper == pytest.approx(-math.expm1(-HALF_CHI2_95 / len(tails)), rel=1e-10)
    assert "bound" in interval.message
    wald = inf.wald_interval("bernoulli", tails, "p")
    assert math.isnan(wald.lower)
    assert math.isnan(wald.upper)
    assert "no standard error" in wald.message
    # Poisson counts all 0: λ̂ = 0 and ℓ(λ) = −nλ, which drops by c at λ = c/n.
    zeros = [0.0] * 5
    rate = inf.profile_interval("poisson", zeros, "rate")
    assert (rate.lower, rate.lower_at_bound, rate.upper_at_bound) == (0.0, True, False)
    assert rate.upper == pytest.approx(HALF_CHI2_95 / 5, rel=1e-10)
    # The LR test still works there: LR = 2nλ₀.
    assert inf.likelihood_ratio_test("poisson", zeros, "rate", 0.1).statistic == pytest.approx(1.0, rel=1e-12)


def test_profile_log_likelihood_curve():
    grid = np.linspace(1.5, 3.0, 7)
    curve = inf.profile_log_likelihood("gaussian", EXAMPLE, "mu", grid)
    expected = [
        stats.norm.logpdf(EXAMPLE, mu, math.sqrt(np.mean((np.asarray(EXAMPLE) - mu) ** 2))).sum() for mu in grid
    ]
    np.testing.assert_allclose(curve, expected, rtol=1e-13)
    assert np.argmax(curve) == 3  # μ = 2.25, the grid value nearest x̄ = 2.24
    assert np.isnan(inf.profile_log_likelihood("gaussian", EXAMPLE, "sigma", [-1.0, 0.0])).all()


# --- likelihood-ratio, Wald and score tests ----------------------------------------------------------


@pytest.mark.parametrize("mu0", [2.0, 1.9, 2.6])
def test_gaussian_tests_of_the_mean_known_answers(mu0):
    x = np.asarray(EXAMPLE)
    n, s2, d = x.size, x.var(), x.mean() - mu0
    expected = {
        "lr": n * math.log1p(d * d / s2),
        "wald": n * d * d / s2,
        "score_expected": n * d * d / (s2 + d * d),  # Fisher information at (μ₀, σ̃)
        "score_observed": n * d * d / (s2 - d * d),  # −∂²ℓ at (μ₀, σ̃): positive only while d² < σ̂²
    }
    results = {
        "lr": inf.likelihood_ratio_test("gaussian", EXAMPLE, "mu", mu0),
        "wald": inf.wald_test("gaussian", EXAMPLE, "mu", mu0),
        "score_expected": inf.score_test("gaussian", EXAMPLE, "mu", mu0),
        "score_observed": inf.score_test("gaussian", EXAMPLE, "mu", mu0, information="observed"),
    }
    for key, result in results.items():
        assert result.df == 1
        assert result.statistic == pytest.approx(expected[key], rel=1e-11), key
        assert result.p_value == pytest.approx(stats.chi2.sf(expected[key], 1), rel=1e-10), key
    assert results["score_expected"].information == "expected"
    restricted = results["lr"].restricted
    assert restricted["mu"] == mu0
    assert restricted["sigma"] == pytest.approx(math.sqrt(s2 + d * d), rel=1e-14)
    assert results["wald"].restricted is None


@pytest.mark.parametrize("sigma0", [0.25, 0.5, 0.9])
def test_gaussian_tests_of_sigma_known_answers(sigma0):
    x = np.asarray(EXAMPLE)
    n, ratio = x.size, x.var() / sigma0**2
    sigma_hat = math.sqrt(x.var())
    expected = {
        "lr": n * (ratio - 1 - math.log(ratio)),
        "wald": 2 * n * (sigma_hat - sigma0) ** 2 / x.var(),
        "score_expected": n / 2 * (ratio - 1) ** 2,
        # −∂²ℓ/∂σ² at (x̄, σ₀) is (n/σ₀²)(3σ̂²/σ₀² − 1): not positive once σ₀ > √3 σ̂, and S is then nan.
        "score_observed": n * (ratio - 1) ** 2 / (3 * ratio - 1) if 3 * ratio > 1 else math.nan,
    }
    results = {
        "lr": inf.likelihood_ratio_test("gaussian", EXAMPLE, "sigma", sigma0),
        "wald": inf.wald_test("gaussian", EXAMPLE, "sigma", sigma0),
        "score_expected": inf.score_test("gaussian", EXAMPLE, "sigma", sigma0, information="expected"),
        "score_observed": inf.score_test("gaussian", EXAMPLE, "sigma", sigma0, information="observed"),
    }
    for key, result in results.items():
        assert result.statistic == pytest.approx(expected[key], rel=1e-11, nan_ok=True), key
        assert result.p_value == pytest.approx(stats.chi2.sf(expected[key], 1), rel=1e-10, nan_ok=True), key


@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_null_at_the_mle_gives_statistic_zero_and_p_one(family):
    x = draw(family, np.random.default_rng(21), 30)
    sufficient = statistics_of(family, x)
    mle = mle_vector(family, x)
    for j, name in enumerate(family.parameter_names):
        lr = inf.likelihood_ratio_test(family, sufficient, name, mle[j])
        wald = inf.wald_test(family, sufficient, name, mle[j])
        assert (lr.statistic, lr.p_value) == (0.0, 1.0)
        assert (wald.statistic, wald.p_value) == (0.0, 1.0)
        score = inf.score_test(family, sufficient, name, mle[j])
        assert score.statistic == pytest.approx(0.0, abs=1e-12)
        assert score.p_value == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_likelihood_ratio_test_matches_the_oracle(family):
    x = draw(family, np.random.default_rng(22), 30)
    mle = mle_vector(family, x)
    top = oracle(family, x)[0](mle)
    for j, name in enumerate(family.parameter_names):
        null = mle[j] * 1.15
        result = inf.likelihood_ratio_test(family, statistics_of(family, x), name, null)
        expected = 2 * (top - oracle_profile(family, x, j, null))
        assert result.statistic == pytest.approx(expected, rel=1e-7, abs=1e-9)
        assert result.p_value == pytest.approx(stats.chi2.sf(expected, 1), rel=1e-6)
        # The three tests are asymptotically equivalent; at n = 30 and a nearby null they agree roughly.
        wald = inf.wald_test(family, statistics_of(family, x), name, null)
        assert wald.statistic == pytest.approx(result.statistic, rel=0.5)


def test_score_test_with_observed_information_can_be_undefined():
    # |x̄ − μ₀| > σ̂: the efficient observed information at (μ₀, σ̃) is (n/σ̃⁴)(σ̂² − d²) < 0.
    result = inf.score_test("gaussian", EXAMPLE, "mu", 0.0, information="observed")
    assert math.isnan(result.statistic)
    assert math.isnan(result.p_value)
    assert "not positive" in result.message
    assert inf.score_test("gaussian", EXAMPLE, "mu", 0.0).statistic == pytest.approx(5 * 2.24**2 / (0.1584 + 2.24**2))


def test_tests_refuse_bad_nulls_and_options():
    with pytest.raises(ValueError, match="null value"):
        inf.likelihood_ratio_test("gaussian", EXAMPLE, "sigma", -1.0)
    with pytest.raises(ValueError, match="no parameter"):
        inf.wald_test("gaussian", EXAMPLE, "tau", 1.0)
    with pytest.raises(ValueError, match="information"):
        inf.score_test("gaussian", EXAMPLE, "mu", 1.0, information="fisher")
    with pytest.raises(ValueError, match="expected information"):
        inf.score_test("weibull", [1.0, 2.0, 3.0], "shape", 1.0, information="expected")


# --- the climb -----------------------------------------------------------------------------------------


def check_step_arithmetic(step: inf.ClimbStep) -> None:
    """θ_new = θ + t·direction exactly, and ℓ did not go down."""
    for name in step.names:
        assert step.theta_new[name] == step.theta[name] + step.scale * step.direction[name]
    assert step.log_likelihood_new >= step.log_likelihood - 1e-12 * max(1.0, abs(step.log_likelihood))
    assert step.scale == 0.5 ** (step.halvings_outside + step.halvings_downhill) or step.scale == 0.0


def test_newton_from_the_default_start_reaches_the_mle():
    mle = mle_core.fit("gaussian", EXAMPLE)
    result = inf.climb("gaussian", EXAMPLE, {"mu": 0.0, "sigma": 1.0}, "newton")
    assert result.converged
    assert result.message == ""
    assert len(result.steps) == NEWTON_STEPS_FROM_DEFAULT
    assert result.theta["mu"] == pytest.approx(mle["mu"], rel=1e-8)
    assert result.theta["sigma"] == pytest.approx(mle["sigma"], rel=1e-8)
    assert result.log_likelihood == pytest.approx(mle_core.fit_result("gaussian", EXAMPLE).log_likelihood, rel=1e-14)
    for before, after in zip(result.steps, result.steps[1:], strict=False):
        assert after.theta == before.theta_new
    for step in result.steps:
        check_step_arithmetic(step)
        assert step.method == "newton"
        assert step.step_size == 1.0
        matrix = np.array(step.information)
        gradient = np.array([step.gradient[n] for n in step.names])
        direction = np.linalg.solve(matrix, gradient)
        np.testing.assert_allclose([step.direction[n] for n in step.names], direction, rtol=1e-12)
    # At (0, 1) −∂²ℓ = [[5, 22.4], [22.4, 72.64]] has a negative eigenvalue: Levenberg damping, recorded.
    first = result.steps[0]
    np.testing.assert_allclose(np.array(first.hessian), [[-5, -22.4], [-22.4, -72.64]], rtol=1e-14)
    assert first.levenberg > 0
    assert "not positive definite" in first.note
    assert first.log_likelihood_new > first.log_likelihood
    # Near the top the steps are pure Newton (no damping) and converge quadratically.
    assert all(step.levenberg == 0 and not step.damped for step in result.steps[2:])
    moves = [abs(step.delta["sigma"]) for step in result.steps[4:8]]  # 0.017, 0.0024, 3.8e-5, 9.3e-9
    for before, after in itertools.pairwise(moves):
        assert after <= 10 * before**2
    assert abs(result.steps[-1].delta["sigma"]) < 1e-15


def test_gradient_ascent_from_the_default_start_reaches_the_mle():
    mle = mle_core.fit("gaussian", EXAMPLE)
    result = inf.climb("gaussian", EXAMPLE, {"mu": 0.0, "sigma": 1.0}, "gradient")
    assert result.converged
    assert len(result.steps) == GRADIENT_STEPS_FROM_DEFAULT > NEWTON_STEPS_FROM_DEFAULT
    assert result.step_size is None  # η chosen from the curvature at each step
    assert result.theta["mu"] == pytest.approx(mle["mu"], rel=1e-8)
    assert result.theta["sigma"] == pytest.approx(mle["sigma"], rel=1e-8)
    for step in result.steps:
        check_step_arithmetic(step)
        hessian = np.array(step.hessian)
        assert step.step_size == pytest.approx(1 / np.max(np.abs(np.linalg.eigvalsh(hessian))), rel=1e-14)
        for name in step.names:
            assert step.direction[name] == step.step_size * step.gradient[name]


def test_gradient_step_with_a_fixed_eta_records_its_numbers():
    # Written out by the app (mle_explorer.climb.step_text): tests/test_app_climb_text.py.
    step = inf.gradient_ascent_step("gaussian", EXAMPLE, {"mu": 0.0, "sigma": 1.0}, step_size=0.01)
    assert step.theta_new["mu"] == pytest.approx(0.112, rel=1e-14)  # 0 + 0.01 × 11.2
    assert step.theta_new["sigma"] == pytest.approx(1.2088, rel=1e-14)  # 1 + 0.01 × 20.88
    assert (step.step_size, step.scale) == (0.01, 1.0)
    assert step.gradient["mu"] == pytest.approx(11.2, rel=1e-14)
    assert step.gradient["sigma"] == pytest.approx(20.88, rel=1e-14)
    assert step.hessian is None
    assert step.information is None
    assert not step.damped


def test_steps_are_halved_to_stay_inside_the_parameter_space():
    # At (2.24, 2): ∂ℓ/∂σ = −5/2 + 0.792/8 = −2.401; η = 10 would put σ at −22.
    step = inf.gradient_ascent_step("gaussian", EXAMPLE, {"mu": 2.24, "sigma": 2.0}, step_size=10.0)
    assert step.gradient["sigma"] == pytest.approx(-2.401, rel=1e-12)
    assert step.halvings_outside == 4  # 2 − 24.01/16 = 0.499 > 0, while 2 − 24.01/8 < 0
    assert step.damped
    assert step.theta_new["sigma"] > 0
    assert "stay inside the parameter space" in step.note
    check_step_arithmetic(step)
    assert step.scale == 0.0625


def test_newton_step_records_its_numbers():
    # Written out by the app (mle_explorer.climb.step_text): tests/test_app_climb_text.py.
    step = inf.newton_step("gaussian", EXAMPLE, {"mu": 2.2, "sigma": 0.45})
    assert step.levenberg == 0
    assert not step.note
    np.testing.assert_array_equal(step.information, -np.array(step.hessian))
    assert step.theta_new["mu"] == step.theta["mu"] + step.scale * step.direction["mu"]
    mapping_type = type(MappingProxyType({}))
    assert isinstance(step.theta_new, mapping_type)
    assert isinstance(step.gradient, mapping_type)
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.scale = 2.0  # type: ignore[misc]


@pytest.mark.parametrize("method", ["newton", "gradient"])
@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_climb_reaches_the_fitted_mle(family, method):
    x = draw(family, np.random.default_rng(31), 40)
    sufficient = statistics_of(family, x)
    mle = mle_vector(family, x)
    start = {p.name: p.default for p in family.parameters}
    with no_warnings():
        result = inf.climb(family, sufficient, start, method, max_steps=400)
    assert result.converged, result.message
    np.testing.assert_allclose([result.theta[n] for n in family.parameter_names], mle, rtol=1e-7)
    for step in result.steps:
        check_step_arithmetic(step)


def test_climb_stops_at_max_steps_and_reports_fixed_eta():
    result = inf.climb("gaussian", EXAMPLE, None, "gradient", step_size=1e-3, max_steps=5)
    assert not result.converged
    assert len(result.steps) == 5
    assert result.step_size == 1e-3
    assert "5 steps" in result.message
    assert all(step.step_size == 1e-3 for step in result.steps)


def test_climb_refusals():
    with pytest.raises(ValueError, match="method"):
        inf.climb("gaussian", EXAMPLE, None, "bfgs")
    with pytest.raises(ValueError, match="on a bound"):
        inf.newton_step("bernoulli", [0.0, 1.0], {"p": 0.0})
    with pytest.raises(ValueError, match="step_size"):
        inf.gradient_ascent_step("gaussian", EXAMPLE, {"mu": 0.0, "sigma": 1.0}, step_size=-1.0)


# --- surfaces and slices -------------------------------------------------------------------------------


def test_surface_equals_the_scalar_log_likelihood_at_every_cell():
    mus = np.array([-1.0, 0.0, 2.24, 3.5, 10.0])
    sigmas = np.array([-0.5, 0.0, 0.05, 0.398, 1.0, 7.0])  # the first two are outside the space
    with no_warnings():
        surface = inf.log_likelihood_surface("gaussian", EXAMPLE, {"mu": mus, "sigma": sigmas})
    assert surface.shape == (mus.size, sigmas.size)
    for i, mu in enumerate(mus):
        for j, sigma in enumerate(sigmas):
            if sigma <= 0:
                assert math.isnan(surface[i, j])
            else:
                expected = mle_core.log_likelihood("gaussian", EXAMPLE, mu=float(mu), sigma=float(sigma))
                assert surface[i, j] == pytest.approx(expected, rel=1e-14)
    # The axes' order is the result's: σ first gives the transpose.
    transposed = inf.log_likelihood_surface("gaussian", EXAMPLE, {"sigma": sigmas, "mu": mus})
    np.testing.assert_array_equal(transposed, surface.T)


def test_slices_equal_the_scalar_log_likelihood():
    values = np.array([-2.0, 0.0, 0.3, 1.0, np.inf, np.nan])
    with no_warnings():
        sigma_slice = inf.log_likelihood_slice("gaussian", EXAMPLE, "sigma", values, mu=2.0)
        mu_slice = inf.log_likelihood_slice("gaussian", EXAMPLE, "mu", values, sigma=0.5)
    for k, v in enumerate(values):
        if math.isfinite(v) and v > 0:
            assert sigma_slice[k] == pytest.approx(mle_core.log_likelihood("gaussian", EXAMPLE, mu=2.0, sigma=v))
        else:
            assert math.isnan(sigma_slice[k])
        if math.isfinite(v):
            assert mu_slice[k] == pytest.approx(mle_core.log_likelihood("gaussian", EXAMPLE, mu=v, sigma=0.5))
        else:
            assert math.isnan(mu_slice[k])


def test_surface_uses_the_statistics_only():
    def refuse(*_args, **_kwargs):
        raise AssertionError("a pass over the observations")

    blind = dataclasses.replace(GAUSSIAN, log_densities=refuse, statistics=refuse, validate_observations=refuse)
    sufficient = mle_core.sufficient_statistics("gaussian", np.random.default_rng(0).normal(size=100_000))
    grid = {"mu": np.linspace(-0.1, 0.1, 30), "sigma": np.linspace(0.9, 1.1, 40)}
    surface = inf.log_likelihood_surface(blind, sufficient, grid)
    assert np.isfinite(surface).all()
    inf.log_likelihood_slice(blind, sufficient, "mu", grid["mu"], sigma=1.0)
    inf.climb(blind, sufficient, None, "newton")
    inf.profile_interval(blind, sufficient, "sigma")


@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_surfaces_and_slices_of_every_family(family):
    x = draw(family, np.random.default_rng(41), 20)
    sufficient = statistics_of(family, x)
    grid = inf.default_grid(family, sufficient, size=7)
    total, _ = oracle(family, x)
    names = family.parameter_names
    mle = mle_vector(family, x)
    for j, name in enumerate(names):
        others = {n: float(mle[i]) for i, n in enumerate(names) if i != j}
        with no_warnings():
            line = inf.log_likelihood_slice(family, sufficient, name, grid[name], **others)
        for value, got in zip(grid[name], line, strict=True):
            theta = mle.copy()
            theta[j] = value
            assert got == pytest.approx(total(theta), rel=1e-10)
    if len(names) == 2:
        with no_warnings():
            surface = inf.log_likelihood_surface(
                family, sufficient, {names[0]: grid[names[0]], names[1]: grid[names[1]]}
            )
        for i, a in enumerate(grid[names[0]]):
            for j, b in enumerate(grid[names[1]]):
                assert surface[i, j] == pytest.approx(total([a, b]), rel=1e-10)


def test_surface_argument_checks():
    with pytest.raises(ValueError, match="exactly two axes"):
        inf.log_likelihood_surface("gaussian", EXAMPLE, {"mu": [1.0]})
    with pytest.raises(ValueError, match="1-D"):
        inf.log_likelihood_surface("gaussian", EXAMPLE, {"mu": [[1.0]], "sigma": [1.0]})
    with pytest.raises(ValueError, match="give a value for sigma"):
        inf.log_likelihood_slice("gaussian", EXAMPLE, "mu", [1.0])
    with pytest.raises(ValueError, match="both as an axis"):
        inf.log_likelihood_slice("gaussian", EXAMPLE, "mu", [1.0], mu=1.0, sigma=1.0)


# --- default grids ---------------------------------------------------------------------------------------


def test_default_grid_covers_standard_errors_around_the_mle_and_theta():
    mle = mle_core.fit("gaussian", EXAMPLE)
    errors = inf.standard_errors("gaussian", EXAMPLE)
    grid = inf.default_grid("gaussian", EXAMPLE, {"mu": 0.0, "sigma": 1.0}, size=51)
    assert set(grid) == {"mu", "sigma"}
    assert all(axis.size == 51 for axis in grid.values())
    assert grid["mu"][0] == pytest.approx(0.0 - 4 * errors["mu"])
    assert grid["mu"][-1] == pytest.approx(mle["mu"] + 4 * errors["mu"])
    # 4 SE below σ̂ is below 0: that end is pulled in to a tenth of the way from 0 to σ̂.
    assert grid["sigma"][0] == pytest.approx(0.1 * mle["sigma"])
    assert grid["sigma"][-1] == pytest.approx(1.0 + 4 * errors["sigma"])
    assert np.all(np.diff(grid["mu"]) > 0)
    assert np.all(grid["sigma"] > 0)


@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_default_grid_lies_inside_the_space(family):
    x = draw(family, np.random.default_rng(51), 15)
    grid = inf.default_grid(family, statistics_of(family, x))
    mle = mle_vector(family, x)
    for j, p in enumerate(family.parameters):
        axis = grid[p.name]
        assert axis.size == 101
        assert np.all((axis > p.lower) & (axis < p.upper))
        assert axis[0] < mle[j] < axis[-1]


def test_default_grid_without_a_finite_mle():
    grid = inf.default_grid("gaussian", [2.0, 2.0], {"mu": 2.0, "sigma": 0.5}, size=11)
    assert np.all(grid["sigma"] > 0)
    assert grid["mu"][0] < 2.0 < grid["mu"][-1]
    assert np.isfinite(inf.log_likelihood_surface("gaussian", [2.0, 2.0], grid)).all()


# --- why logs: the running product of densities underflows ---------------------------------------------


def python_running_product(log_densities) -> list[float]:
    product, out = 1.0, []
    for value in log_densities:
        product *= math.exp(value)
        out.append(product)
    return out


@pytest.mark.parametrize(
    ("theta", "expected_k"), [({"mu": 0.0, "sigma": 1.0}, 213), ({"mu": 2.24, "sigma": 0.398}, 1499)]
)
def test_running_likelihood_underflows_where_the_logs_say(theta, expected_k):
    data = EXAMPLE * 400
    log_densities = mle_core.log_densities("gaussian", data, **theta)
    products = inf.running_likelihood(log_densities)
    assert products.tolist() == python_running_product(log_densities)
    k = inf.underflow_point(log_densities)
    assert k == expected_k
    assert products[k - 1] == 0.0
    assert products[k - 2] > 0.0
    ell = np.cumsum(log_densities)
    assert math.isfinite(ell[k - 1])
    # Independently: the product is 0.0 once Σ ln f is below ln of half the smallest subnormal
    # (rounding to nearest), give or take the rounding accumulated on the way down through subnormals.
    smallest = math.log(math.ulp(0.0)) - math.log(2.0)
    first_below = int(np.argmax(ell < smallest)) + 1
    assert abs(k - first_below) <= 1


def test_underflow_point_none_cases():
    assert inf.underflow_point(mle_core.log_densities("gaussian", EXAMPLE, mu=2.24, sigma=0.398)) is None
    assert inf.underflow_point([-1.0, -math.inf, -1.0]) is None  # a density that is 0: ℓ = −∞ too
    assert inf.underflow_point([]) is None


# --- sampling distributions ----------------------------------------------------------------------------


def test_gaussian_sampling_distribution_rows_are_the_fits():
    estimates = inf.sampling_distribution("gaussian", {"mu": 3.0, "sigma": 2.0}, size=7, repeats=50, rng=5)
    assert estimates.shape == (50, 2)
    draws = np.random.default_rng(5).normal(3.0, 2.0, size=(50, 7))
    for row, sample in zip(estimates, draws, strict=True):
        fit = mle_core.fit("gaussian", sample)
        assert row[0] == pytest.approx(fit["mu"], rel=1e-12, abs=1e-14)
        assert row[1] == pytest.approx(fit["sigma"], rel=1e-12)


def test_sigma_hat_is_biased_low_for_small_samples():
    n, sigma, repeats = 5, 2.0, 40_000
    estimates = inf.sampling_distribution("gaussian", {"mu": 1.0, "sigma": sigma}, n, repeats, np.random.default_rng(7))
    sigma_hat = estimates[:, 1]
    # E[σ̂] = σ·c4(n)·√((n − 1)/n) = 0.8408 σ at n = 5; the standard error of the mean here is ~0.003.
    assert inf.expected_sigma_hat(sigma, n) == pytest.approx(sigma * 0.9399856 * math.sqrt(0.8), rel=1e-6)
    assert sigma_hat.mean() == pytest.approx(inf.expected_sigma_hat(sigma, n), rel=0.01)
    assert sigma_hat.mean() < 0.9 * sigma
    # Dividing by n − 1 fixes σ² on average, and s/c4 fixes σ.
    s = sigma_hat * math.sqrt(n / (n - 1))
    assert (s**2).mean() == pytest.approx(sigma**2, rel=0.02)
    c4 = math.sqrt(2 / (n - 1)) * math.gamma(n / 2) / math.gamma((n - 1) / 2)
    assert (s / c4).mean() == pytest.approx(sigma, rel=0.01)
    assert estimates[:, 0].mean() == pytest.approx(1.0, abs=0.02)


def test_sigma_estimates_known_answers():
    result = inf.sigma_estimates(EXAMPLE)
    assert result.n == 5
    assert result.mle == pytest.approx(math.sqrt(0.792 / 5), rel=1e-14)
    assert result.sample_sd == pytest.approx(statistics.stdev(EXAMPLE), rel=1e-14)
    c4 = math.sqrt(2 / 4) * math.gamma(2.5) / math.gamma(2.0)
    assert result.c4 == pytest.approx(c4, rel=1e-14)
    assert inf.unbiased_sigma(EXAMPLE) == pytest.approx(statistics.stdev(EXAMPLE) / c4, rel=1e-14)
    with pytest.raises(ValueError, match="two observations"):
        inf.sigma_estimates([1.0])


@pytest.mark.parametrize("family", REGISTERED)
def test_sampling_distribution_of_every_family(family):
    draw(family, np.random.default_rng(0), 1)  # skips a family that cannot sample
    theta = defaults(family)
    estimates = inf.sampling_distribution(family, theta, 200, 100, np.random.default_rng(3))
    assert estimates.shape == (100, len(family.parameters))
    # Consistency: at n = 200 the average MLE is within a few percent of θ.
    np.testing.assert_allclose(estimates.mean(axis=0), list(theta.values()), rtol=0.05, atol=0.02)
    # Each row is the family's fit of a sample drawn with the same generator.
    rng = np.random.default_rng(3)
    first = mle_core.fit(family, mle_core.sample(family, 200, rng, **theta))
    np.testing.assert_allclose(estimates[0], list(first.values()), rtol=1e-12)


@pytest.mark.parametrize("units", [1e-90, 1e120], ids=["1e-90", "1e120"])
@pytest.mark.parametrize(
    ("family", "data", "scales"),
    [
        ("exponential", [1.0, 2.0, 4.0], {"rate": -1}),
        ("weibull", [1.0, 2.0, 3.0], {"shape": 0, "scale": 1}),
        ("gaussian", [1.0, 2.0, 4.0], {"mu": 1, "sigma": 1}),
    ],
)
def test_standard_errors_follow_the_units_of_the_data(family, data, scales, units):
    # The same data in other units: each standard error scales as its parameter does (λ as 1/units, k not at
    # all). The step formulas divided by ab(a + b) ≈ h³, which over- or underflowed past |θ| ≈ 1e±100.
    ordinary = inf.standard_errors(family, data)
    with no_warnings():
        rescaled = inf.standard_errors(family, [units * x for x in data])
    for name, power in scales.items():
        assert rescaled[name] == pytest.approx(ordinary[name] * units**power, rel=1e-6), name


@pytest.mark.parametrize(
    ("test", "data", "name", "null_value"),
    [
        (inf.wald_test, [2.3, 1.9, 2.5, 2.8, 1.7], "sigma", 1e308),  # (σ̂ − σ₀)² overflowed
        (inf.score_test, [1e150, -1e150, 3.0], "sigma", 1.0),  # Uⱼ² overflowed
    ],
    ids=["wald", "score"],
)
def test_a_statistic_beyond_the_largest_float_is_inf_without_a_warning(test, data, name, null_value):
    with no_warnings():
        result = test("gaussian", data, name, null_value)
    assert (result.statistic, result.p_value) == (math.inf, 0.0)


@pytest.mark.parametrize("units", [1e-155, 1e-200, 1e-300])
def test_a_curvature_lost_to_underflow_gives_no_standard_error_rather_than_a_wrong_one(units):
    # n/λ² for data in units of 1e-155 is below the smallest normal float: inverted it gave a standard error of inf.
    with no_warnings():
        errors = inf.standard_errors("exponential", [units, 2 * units, 4 * units])
    assert math.isnan(errors["rate"])
