"""Fit several families to the same observations and compare them by AIC.

AIC = 2k − 2ℓ̂ (k estimated parameters, ℓ̂ the maximised log-likelihood): lower is better, and
each parameter has to buy an improvement of at least 1 in ℓ̂ to pay for itself.

A caveat the rows carry in ``discrete``: a discrete family's ℓ̂ sums log-probabilities, a
continuous family's sums log-densities, whose value depends on the unit of measurement. Their
AICs are only comparable within the same kind.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ._family import Family
from ._observations import as_observations


@dataclass(frozen=True)
class FamilyComparison:
    """One family's fit in a comparison (immutable).

    ``family`` is the family's name and ``label`` its display name; ``k`` the number of estimated
    parameters; ``log_likelihood`` ℓ̂ and ``aic`` 2k − 2ℓ̂ (both None when the family does not
    apply, ℓ̂ = inf and AIC = −inf when the likelihood is unbounded); ``converged`` as in
    ``FitResult``; ``reason`` says why the family does not apply to the data (empty when it does),
    e.g. "poisson observations must be non-negative integers; found 2.5 at index 3". ``params``
    holds the estimates (empty when it does not apply), ``message`` the fit's own note (a boundary
    estimate, no finite maximum) and ``discrete`` whether ℓ̂ sums log-probabilities.
    """

    family: str
    label: str
    k: int
    log_likelihood: float | None
    aic: float | None
    converged: bool
    reason: str = ""
    params: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    message: str = ""
    discrete: bool = False

    @property
    def applies(self) -> bool:
        """True when the family could be fitted to the data."""
        return not self.reason


def compare_families(data, families: Iterable[str | Family] | None = None, **constants: Any) -> list[FamilyComparison]:
    """Return one ``FamilyComparison`` per family (all registered ones by default), in the order given.

    Each family gets only its own constants from ``constants`` (e.g. ``n_trials`` for the binomial;
    defaults otherwise). A family whose support excludes some observation — or any family, when
    there are no observations — gets a row with a ``reason`` instead of an exception. Data that
    are not finite numbers at all, an unknown constant or an invalid constant value raise
    ``ValueError``.
    """
    from . import FAMILIES, get_family, sufficient_statistics  # the registry imports this module

    chosen = [get_family(f) for f in (FAMILIES.values() if families is None else families)]
    known = {name for fam in chosen for name in fam.constant_names}
    unknown = sorted(set(constants) - known)
    if unknown:
        raise ValueError(
            f"unknown constant(s) {', '.join(unknown)} for the families compared "
            f"({', '.join(fam.name for fam in chosen)})"
        )
    observations = as_observations(data)
    rows = []
    for fam in chosen:
        own = fam.check_constants({name: constants[name] for name in fam.constant_names if name in constants})
        k = len(fam.parameters)
        if observations.size == 0:
            rows.append(_not_applicable(fam, k, "there are no observations to fit"))
            continue
        try:
            stats = sufficient_statistics(fam, observations, **own)
        except ValueError as error:
            rows.append(_not_applicable(fam, k, str(error)))
            continue
        result = fam.fit(stats)
        ll = float(result.log_likelihood)
        rows.append(
            FamilyComparison(
                family=fam.name,
                label=fam.label,
                k=k,
                log_likelihood=ll,
                aic=2 * k - 2 * ll if math.isfinite(ll) else -ll,
                converged=result.converged,
                params=result.params,
                message=result.message,
                discrete=fam.discrete,
            )
        )
    return rows


def _not_applicable(fam: Family, k: int, reason: str) -> FamilyComparison:
    return FamilyComparison(fam.name, fam.label, k, None, None, False, reason=reason, discrete=fam.discrete)
