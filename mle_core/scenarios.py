"""Real-world stories to explore, one per family: the seed document's examples, with data.

Each ``Scenario`` holds its observations as a read-only float array, made once when this module is
imported: literal data where the seed gives them (the five measurements, the coin), otherwise
simulated from the ``true_params`` with a fixed seed. The simulations use only uniform draws
(``Generator.random``) and inverse-CDF transforms, rounded to the unit of the story, so the data
are the same on every platform and numpy version the app runs on (Pyodide included).
``start`` is a deliberately poor first guess, so that Optimize visibly moves.

>>> from mle_core.scenarios import SCENARIOS
>>> list(SCENARIOS)[:3]
['five_measurements', 'weighted_coin', 'ab_test']
>>> import mle_core
>>> coin = SCENARIOS["weighted_coin"]
>>> mle_core.fit(coin.family, coin.observations, **coin.constants)
{'p': 0.7}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np


@dataclass(frozen=True, eq=False)
class Scenario:
    """A story with data: which family models it, a poor starting guess, and the truth if it was simulated.

    ``name`` is the key in ``SCENARIOS``; ``title`` a short heading; ``story`` two sentences;
    ``family`` a family name in ``mle_core.FAMILIES``; ``observations`` a read-only float array;
    ``constants`` the family's known constants (the binomial's ``n_trials``); ``start`` parameter
    values far from the estimate; ``true_params`` the values the data were simulated from (None for
    real or literal data); ``unit`` what an observation is measured in (for axis labels); ``outcomes``
    the story's names for its observations' values, (label, value), for a yes/no story (the coin's
    heads and tails: an app's buttons that add one observation each). A story does not give the
    estimate away: the student finds it.
    """

    name: str
    title: str
    story: str
    family: str
    observations: np.ndarray
    constants: Mapping[str, int | float]
    start: Mapping[str, float]
    true_params: Mapping[str, float] | None = None
    unit: str = ""
    outcomes: tuple[tuple[str, float], ...] = ()


def _frozen(values) -> np.ndarray:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


def _uniforms(seed: int, size: int | tuple[int, ...]) -> np.ndarray:
    """Uniform draws in [0, 1): the one primitive every simulation here builds on."""
    return np.random.default_rng(seed).random(size)


def _bernoulli(seed: int, size: int, p: float) -> np.ndarray:
    return (_uniforms(seed, size) < p).astype(np.float64)


def _binomial(seed: int, size: int, p: float, n_trials: int) -> np.ndarray:
    # Each count is the number of successes among n_trials uniform draws.
    return (_uniforms(seed, (size, n_trials)) < p).sum(axis=1).astype(np.float64)


def _poisson(seed: int, size: int, rate: float) -> np.ndarray:
    # Inverse CDF: the count is how many cumulative probabilities lie at or below the uniform draw.
    probabilities = [math.exp(-rate)]
    while len(probabilities) < 10 * rate + 30:
        probabilities.append(probabilities[-1] * rate / len(probabilities))
    cumulative = np.cumsum(probabilities)
    return np.searchsorted(cumulative, _uniforms(seed, size), side="right").astype(np.float64)


def _weibull(seed: int, size: int, shape: float, scale: float, decimals: int) -> np.ndarray:
    # Inverse CDF: F(x) = 1 − exp(−(x/λ)^k), so x = λ (−ln(1 − u))^(1/k); shape 1 is the exponential.
    draws = scale * (-np.log1p(-_uniforms(seed, size))) ** (1.0 / shape)
    return np.round(draws, decimals)


_COIN = [1, 1, 0, 1, 1, 1, 0, 1, 0, 1]  # seven heads in ten flips, as in the seed document
_FIVE_MEASUREMENTS = [2.3, 1.9, 2.5, 2.8, 1.7]  # the seed document's data

_SCENARIOS = (
    Scenario(
        name="five_measurements",
        title="Five measurements",
        story=(
            "Five repeated measurements of the same quantity came out as 2.3, 1.9, 2.5, 2.8 and 1.7. "
            "Which bell curve makes these readings most likely, starting from the standard normal?"
        ),
        family="gaussian",
        observations=_frozen(_FIVE_MEASUREMENTS),
        constants=MappingProxyType({}),
        start=MappingProxyType({"mu": 0.0, "sigma": 1.0}),
    ),
    Scenario(
        name="weighted_coin",
        title="A weighted coin",
        story=(
            "You find an odd-looking coin, flip it ten times and see seven heads (1) and three tails (0). "
            "A fair coin would have p = 0.5: which p makes these flips most likely?"
        ),
        family="bernoulli",
        observations=_frozen(_COIN),
        constants=MappingProxyType({}),
        start=MappingProxyType({"p": 0.5}),
        unit="heads",
        outcomes=(("Heads (1)", 1.0), ("Tails (0)", 0.0)),
    ),
    Scenario(
        name="ab_test",
        title="A/B test: the new button",
        story=(
            "A shop shows its redesigned checkout button to 240 visitors and records 1 for each who "
            "clicks it and 0 for each who does not. How likely is a visitor to click, judging by these 240?"
        ),
        family="bernoulli",
        observations=_frozen(_bernoulli(seed=2024_01, size=240, p=0.11)),
        constants=MappingProxyType({}),
        start=MappingProxyType({"p": 0.5}),
        true_params=MappingProxyType({"p": 0.11}),
        unit="clicks",
        outcomes=(("Clicked (1)", 1.0), ("Did not click (0)", 0.0)),
    ),
    Scenario(
        name="factory_defects",
        title="Defects in factory batches",
        story=(
            "An inspector pulls 20 items from each of 40 batches off a production line and counts the "
            "defective ones. Each item is defective with the same unknown probability p, the machine's error rate."
        ),
        family="binomial",
        observations=_frozen(_binomial(seed=2024_02, size=40, p=0.04, n_trials=20)),
        constants=MappingProxyType({"n_trials": 20}),
        start=MappingProxyType({"p": 0.3}),
        true_params=MappingProxyType({"p": 0.04}),
        unit="defective items per batch of 20",
    ),
    Scenario(
        name="machine_errors",
        title="Machine errors per day",
        story=(
            "A packaging machine logs how many times it jammed on each of 60 working days. Jams strike "
            "independently at a steady average rate λ per day, which is what we estimate."
        ),
        family="poisson",
        observations=_frozen(_poisson(seed=2024_08, size=60, rate=3.2)),
        constants=MappingProxyType({}),
        start=MappingProxyType({"rate": 8.0}),
        true_params=MappingProxyType({"rate": 3.2}),
        unit="errors per day",
    ),
    Scenario(
        name="bulb_lifetimes",
        title="Light-bulb lifetimes",
        story=(
            "Fifty bulbs burn until they fail, and each lifetime is recorded in hours. If a bulb does not "
            "age, failures come at a constant rate λ and the mean lifetime is 1/λ."
        ),
        family="exponential",
        observations=_frozen(_weibull(seed=2024_04, size=50, shape=1.0, scale=1200.0, decimals=1)),
        constants=MappingProxyType({}),
        start=MappingProxyType({"rate": 0.01}),
        true_params=MappingProxyType({"rate": 1 / 1200}),
        unit="hours",
    ),
    Scenario(
        name="bulb_wear_out",
        title="Light bulbs that wear out",
        story=(
            "Sixty bulbs of a sturdier design rarely fail early but wear out as their filaments thin, "
            "so their lifetimes (in hours) bunch up around the end of their life. The Weibull shape k > 1 "
            "measures that wear-out and the scale λ the age by which 63 % have failed."
        ),
        family="weibull",
        observations=_frozen(_weibull(seed=2024_05, size=60, shape=3.0, scale=1400.0, decimals=1)),
        constants=MappingProxyType({}),
        start=MappingProxyType({"shape": 1.0, "scale": 500.0}),
        true_params=MappingProxyType({"shape": 3.0, "scale": 1400.0}),
        unit="hours",
    ),
)

#: Every scenario by name, in the order an app lists them: the seed's example first, then one
#: story per family from the simplest to the Weibull.
SCENARIOS: Mapping[str, Scenario] = MappingProxyType({s.name: s for s in _SCENARIOS})
