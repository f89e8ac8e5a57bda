"""How the app presents each family: one record per family, holding every text the views show about it.

The mathematics of a family lives in its ``mle_core`` module (density, sufficient statistics, fit, derivatives);
everything the app *says* about it lives here: how the family is written (N(μ, σ²)), what one observation is,
the density, log-likelihood and estimate in KaTeX, the names of its outcomes, the x axis's wording, and the
few teaching aids only one family has (σ̂ against s for the Gaussian). The views look a family's record up
with ``presentation(name)`` and never test a family by name.

Adding a family to the app means three things: its ``mle_core`` module, a ``FamilyPresentation`` here (or in
the module that adds it), and ``register_presentation(record)`` next to ``mle_core.register_family``. A family
without a record still works: ``presentation`` makes a plain one from its core declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

import mle_core


@dataclass(frozen=True)
class FamilyPresentation:
    """What the app shows about one family (``name`` is its ``mle_core`` name).

    ``constants_covering(observations, constants)`` returns constants under which ``observations`` are valid
    observations of the family, changing as little as it can (the binomial raises its trials m to the largest
    count): a family switch then keeps data it can hold. ``constant_limits`` are the app's own upper bounds on
    known constants (the trials box's end), stricter than the family's.
    """

    name: str
    #: The family written with its parameters, as a textbook does: "N(μ, σ²)", "Binomial(m, p)".
    notation: str
    #: One sentence: what one observation is, in the words of a first course.
    observation: str
    #: The density (or probability mass) in KaTeX. In these three, ``\qquad`` separates two formulas and ``\allowbreak``
    #: marks where a long one may go on on the next line in a narrow column (``widgets.Formulas``).
    density_formula: str
    #: ℓ(θ) written out for this family, in KaTeX.
    log_likelihood_formula: str
    #: The maximum likelihood estimate (or how it is found), in KaTeX.
    estimate_formula: str
    #: The x axis's label when no scenario names a unit.
    x_label: str = "x (observation value)"
    #: Buttons that add one observation each, (label, value), when no scenario names its own (``Scenario.outcomes``:
    #: the coin's heads and tails, the A/B test's clicks).
    outcomes: tuple[tuple[str, float], ...] = ()
    #: The parameter whose slider range is the plot's x range (a location such as μ), or None: the data's range.
    view_follows: str | None = None
    #: The (location, scale) parameters of a normal model, for the teaching aids only it has: σ̂ (divide by n)
    #: next to s (divide by n − 1), and how often μ̂ ± 1.96 σ̂/√n catches the true μ. None for other families.
    normal_location_scale: tuple[str, str] | None = None
    constant_limits: Mapping[str, int] = field(default_factory=dict)
    constants_covering: Callable[[np.ndarray, dict], dict] | None = None

    def written(self, fitted: bool = False) -> str:
        """The notation; with ``fitted``, with a hat on each parameter's symbol: N(μ̂, σ̂²)."""
        if not fitted:
            return self.notation
        name, _, arguments = self.notation.partition("(")
        for p in mle_core.get_family(self.name).parameters:
            arguments = arguments.replace(p.symbol, hat(p.symbol))
        return f"{name}({arguments}"

    def explanation(self) -> str:
        """Markdown: what an observation is, and what each parameter and known constant means."""
        family = mle_core.get_family(self.name)
        lines = [self.observation, ""]
        lines += [f"- **{p.symbol}**: {p.description}" for p in family.parameters]
        lines += [f"- **{c.symbol}** (known, set by you): {c.description}" for c in family.constants]
        return "\n".join(lines)


def hat(symbol: str) -> str:
    """The symbol with a circumflex: the estimate of that parameter (μ → μ̂)."""
    return symbol + "\u0302"


#: The most trials per observation the binomial takes here (the trials box's end): ln C(m, x) keeps its digits.
MAX_TRIALS = 100_000


def _trials_covering(observations: np.ndarray, constants: dict) -> dict:
    """Enough trials m for the largest count (up to ``MAX_TRIALS``: larger counts are then refused by name)."""
    if observations.size:
        largest = float(np.max(observations))
        if largest.is_integer() and largest > constants["n_trials"]:
            return {**constants, "n_trials": int(min(largest, MAX_TRIALS))}
    return constants


GAUSSIAN = FamilyPresentation(
    name="gaussian",
    notation="N(μ, σ²)",
    observation="An observation is one measured value, any real number: a length, a time, a test score.",
    density_formula=r"$f(x\mid\mu,\sigma)=\dfrac{1}{\sigma\sqrt{2\pi}}\,e^{-(x-\mu)^2/(2\sigma^2)}$",
    log_likelihood_formula=(
        r"$\ell(\mu,\sigma)=-\tfrac{n}{2}\ln(2\pi)-n\ln\sigma\allowbreak-\tfrac{1}{2\sigma^2}\sum_{i=1}^{n}(x_i-\mu)^2$"
    ),
    estimate_formula=(
        r"$\hat\mu=\bar x=\tfrac{1}{n}\sum_{i=1}^{n}x_i\qquad"
        r"\hat\sigma=\sqrt{\tfrac{1}{n}\sum_{i=1}^{n}(x_i-\bar x)^2}$"
    ),
    view_follows="mu",
    normal_location_scale=("mu", "sigma"),
)
BERNOULLI = FamilyPresentation(
    name="bernoulli",
    notation="Bernoulli(p)",
    observation="An observation is one yes/no outcome: 1 for a success (heads, a click), 0 for a failure.",
    density_formula=r"$P(X=x\mid p)=p^{x}(1-p)^{1-x},\allowbreak\quad x\in\{0,1\}$",
    log_likelihood_formula=r"$\ell(p)=k\ln p+(n-k)\ln(1-p),\qquad k=\sum_{i=1}^{n}x_i\ \text{(the number of 1s)}$",
    estimate_formula=r"$\hat p=\tfrac{k}{n}$",
    outcomes=(("Success (1)", 1.0), ("Failure (0)", 0.0)),
)
BINOMIAL = FamilyPresentation(
    name="binomial",
    notation="Binomial(m, p)",
    observation=(
        "An observation is a number of successes out of m independent trials (0 to m); m is known, not estimated."
    ),
    density_formula=r"$P(X=k\mid p)=\binom{m}{k}p^{k}(1-p)^{m-k},\allowbreak\quad k=0,\dots,m$",
    log_likelihood_formula=(
        r"$\ell(p)=\sum_{i=1}^{n}\ln\tbinom{m}{x_i}\allowbreak+S\ln p+(nm-S)\ln(1-p),\qquad S=\sum_{i=1}^{n}x_i$"
    ),
    estimate_formula=r"$\hat p=\tfrac{S}{nm}\allowbreak\quad(m\text{ trials per observation})$",
    constant_limits=MappingProxyType({"n_trials": MAX_TRIALS}),
    constants_covering=_trials_covering,
)
POISSON = FamilyPresentation(
    name="poisson",
    notation="Poisson(λ)",
    observation="An observation is a count of events in one fixed interval (a day, a batch): 0, 1, 2, …",
    density_formula=r"$P(X=k\mid\lambda)=\dfrac{\lambda^{k}e^{-\lambda}}{k!},\allowbreak\quad k=0,1,2,\dots$",
    log_likelihood_formula=r"$\ell(\lambda)=\Big(\sum_{i=1}^{n}x_i\Big)\ln\lambda-n\lambda\allowbreak-\sum_{i=1}^{n}\ln(x_i!)$",
    estimate_formula=r"$\hat\lambda=\bar x$",
)
EXPONENTIAL = FamilyPresentation(
    name="exponential",
    notation="Exponential(λ)",
    observation="An observation is a waiting time (a positive number) until the next event.",
    density_formula=r"$f(x\mid\lambda)=\lambda e^{-\lambda x},\allowbreak\quad x\ge 0$",
    log_likelihood_formula=r"$\ell(\lambda)=n\ln\lambda-\lambda\sum_{i=1}^{n}x_i$",
    estimate_formula=r"$\hat\lambda=1/\bar x$",
)
WEIBULL = FamilyPresentation(
    name="weibull",
    notation="Weibull(k, λ)",
    observation="An observation is a lifetime (a positive number): how long one part lasted.",
    density_formula=(
        r"$f(x\mid k,\lambda)=\dfrac{k}{\lambda}\Big(\dfrac{x}{\lambda}\Big)^{k-1}e^{-(x/\lambda)^{k}},"
        r"\allowbreak\quad x\ge 0$"
    ),
    log_likelihood_formula=(
        r"$\ell(k,\lambda)=n\ln\tfrac{k}{\lambda}+(k-1)\sum_{i=1}^{n}\ln\tfrac{x_i}{\lambda}"
        r"\allowbreak-\sum_{i=1}^{n}\big(\tfrac{x_i}{\lambda}\big)^{k}$"
    ),
    estimate_formula=(
        r"$\text{no closed form: }\allowbreak\hat\lambda^{\hat k}=\tfrac{1}{n}\sum x_i^{\hat k},"
        r"\allowbreak\ \hat k\text{ found numerically}$"
    ),
)

_PRESENTATIONS: dict[str, FamilyPresentation] = {
    record.name: record for record in (GAUSSIAN, BERNOULLI, BINOMIAL, POISSON, EXPONENTIAL, WEIBULL)
}
#: Family name → its record (read-only; ``register_presentation`` adds to it).
PRESENTATIONS: Mapping[str, FamilyPresentation] = MappingProxyType(_PRESENTATIONS)


def register_presentation(record: FamilyPresentation) -> None:
    """Add (or replace) the record of a family registered with ``mle_core.register_family``."""
    mle_core.get_family(record.name)  # a record for a family the core does not know would never be shown
    _PRESENTATIONS[record.name] = record


def unregister_presentation(name: str) -> None:
    """Remove a family's record (a test that registered an extra family cleans up with it)."""
    _PRESENTATIONS.pop(name, None)


def presentation(name: str) -> FamilyPresentation:
    """The record of family ``name``; for a family without one, a plain record made from its core declaration."""
    record = _PRESENTATIONS.get(name)
    if record is not None:
        return record
    family = mle_core.get_family(name)
    symbols = ", ".join(p.symbol for p in family.parameters)
    return FamilyPresentation(
        name=family.name,
        notation=f"{family.label.split(' (')[0]}({symbols})",
        observation=f"An observation is a value in the {family.support}.",
        density_formula="",
        log_likelihood_formula=r"$\ell(\theta)=\sum_{i=1}^{n}\ln f(x_i\mid\theta)$",
        estimate_formula="",
    )
