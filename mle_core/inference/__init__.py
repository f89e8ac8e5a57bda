"""Inference and the likelihood landscape, for any registered family, from its sufficient statistics.

What is here (every function takes a family name or ``Family`` and either observations or the
family's sufficient statistics; none of them makes a pass over the observations), by module:

- ``derivatives``: ``score`` (∂ℓ/∂θ), ``observed_information`` (−∂²ℓ/∂θ∂θᵀ), ``standard_errors``;
- ``intervals``: ``profile_log_likelihood``, ``wald_interval``, ``profile_interval``;
- ``hypothesis_tests`` of θⱼ = θ₀: ``likelihood_ratio_test``, ``wald_test``, ``score_test``;
- ``climb``, to the maximum: ``gradient_ascent_step``, ``newton_step``, ``default_step_size``, ``climb``;
- ``landscape``: ``log_likelihood_surface``, ``log_likelihood_slice``, ``default_grid``, and why
  logs: ``running_likelihood`` and ``underflow_point``;
- ``sampling``, repeated: ``sampling_distribution``, ``sigma_estimates``, ``unbiased_sigma``,
  ``expected_sigma_hat``;
- ``_numerics``: ``chi2_1_sf`` and ``chi2_1_quantile``, and the one-dimensional solvers.

Every name is imported here: use ``mle_core.inference.X``. Where a family declares closed forms
(``Family.derivatives``, ``expected_information``, ``profile``, ``fit_many``; the Gaussian declares
all four) they are used; every other family goes through generic numerics (Richardson-extrapolated
central differences, a bounded Brent maximiser, Brent's root finder), written here in pure Python
and numpy: the app runs as a static Pyodide page, which should not have to download scipy to show
a confidence interval.

>>> data = [2.3, 1.9, 2.5, 2.8, 1.7]
>>> {name: round(value, 4) for name, value in standard_errors("gaussian", data).items()}
{'mu': 0.178, 'sigma': 0.1259}
>>> interval = profile_interval("gaussian", data, "sigma")
>>> round(interval.lower, 4), round(interval.upper, 4)
(0.238, 0.8672)
>>> result = climb("gaussian", data, {"mu": 0.0, "sigma": 1.0}, "newton")
>>> result.converged, len(result.steps), round(result.theta["sigma"], 6)
(True, 9, 0.397995)
"""

from __future__ import annotations

from ._numerics import chi2_1_quantile, chi2_1_sf
from .climb import Climb, ClimbStep, climb, default_step_size, gradient_ascent_step, newton_step
from .derivatives import observed_information, score, standard_errors
from .hypothesis_tests import HypothesisTestResult, likelihood_ratio_test, score_test, wald_test
from .intervals import Interval, profile_interval, profile_log_likelihood, wald_interval
from .landscape import default_grid, log_likelihood_slice, log_likelihood_surface, running_likelihood, underflow_point
from .sampling import SigmaEstimates, expected_sigma_hat, sampling_distribution, sigma_estimates, unbiased_sigma

__all__ = [
    "Climb",
    "ClimbStep",
    "HypothesisTestResult",
    "Interval",
    "SigmaEstimates",
    "chi2_1_quantile",
    "chi2_1_sf",
    "climb",
    "default_grid",
    "default_step_size",
    "expected_sigma_hat",
    "gradient_ascent_step",
    "likelihood_ratio_test",
    "log_likelihood_slice",
    "log_likelihood_surface",
    "newton_step",
    "observed_information",
    "profile_interval",
    "profile_log_likelihood",
    "running_likelihood",
    "sampling_distribution",
    "score",
    "score_test",
    "sigma_estimates",
    "standard_errors",
    "unbiased_sigma",
    "underflow_point",
    "wald_interval",
    "wald_test",
]
