"""Random sequences of everything a session can do to ``ExplorerState``, with invariants checked after each step.

Actions: add (valid and invalid values), move, delete, undo, switch family (with and without clearing), set
the binomial's trials, Optimize, set parameters (inside and outside their ranges), load a scenario, draw a
small sample, replace the observations. After every step:

* the shown ℓ is ``mle_core.log_likelihood`` of the shown observations at the shown θ (to 1e-9, ±inf exact);
* every slider value lies, finite, within its slider's range (``state.model.param[name].bounds``);
* the stored MLE is ``mle_core.fit_result`` of the shown observations;
* after Optimize θ is the MLE, or, where no finite maximum exists, the end of the slider it points to;
* Undo restores everything from before the edit it takes back, exactly: family, constants, observations,
  parameter values, scenario and true parameters;
* an action that fails (raises ``ValueError``/``IndexError``, or a refused switch) changes nothing.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, event, find, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import mle_core
from mle_core.scenarios import SCENARIOS
from mle_explorer.state import UNDO_DEPTH, ExplorerState

SPECIAL = [0.0, 1.0, 2.0, 3.0, 10.0, -1.0, 0.5, 1e-308, 5e-324, 1e150, -1e150, 1e151, 1e308, math.nan, math.inf]
#: Observations: counts and ordinary numbers (most families accept some), and the edges of the number line.
values = st.one_of(
    st.integers(0, 12).map(float),
    st.floats(-1e3, 1e3, allow_nan=False),
    st.sampled_from([*SPECIAL, -math.inf]),
)
#: Parameter values: inside typical ranges, at and beyond the families' bounds, and not numbers at all.
parameter_values = st.one_of(
    st.floats(-50, 50, allow_nan=False),
    st.floats(0, 1),
    st.sampled_from([0.0, 1.0, -1.0, 1e-320, 1e-3, 1e6, 1e150, 1e308, -1e308, math.nan, math.inf, -math.inf]),
)


def everything_shown(state: ExplorerState) -> tuple:
    """What a student sees of the state, and what Undo must restore."""
    truth = None if state.true_parameters is None else tuple(sorted(state.true_parameters.items()))
    return (
        state.family,
        tuple(sorted(state.constants.items())),
        state.observations.tolist(),
        tuple(state.theta.items()),
        state.scenario,
        truth,
    )


def close(a: float, b: float, state: ExplorerState | None = None) -> bool:
    """Equal to 1e-9, relative to the numbers or to the data's size: the state's statistics are updated one
    observation at a time, so x̄ of [1e150, -1e150, 3] can differ from a fresh pass by 1e-17 of the spread."""
    if math.isinf(a) or math.isinf(b):
        return a == b
    scale = float(np.max(np.abs(state.observations))) if state is not None and state.n else 0.0
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale)


class ExplorerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.state = ExplorerState(rng=0)
        self.undo_history: list[tuple] = []  # what each step Undo can take back restores, newest last
        self.optimized = False
        self.optimize_notice = ""

    # --- running an action -----------------------------------------------------------------------
    def attempt(self, action, *args, **kwargs) -> bool:
        """Run ``state.action(*args, **kwargs)``; a failure must change nothing. Return whether it succeeded."""
        state = self.state
        before, steps = everything_shown(state), len(state._undo_stack)
        try:
            result = getattr(state, action)(*args, **kwargs)
        except (ValueError, IndexError):
            event(f"{action} refused")
            assert everything_shown(state) == before, f"a failed {action}{args}{kwargs} changed the state"
            return False
        if result is False:  # a refused family switch
            event(f"{action} refused")
            assert everything_shown(state) == before, f"a refused {action}{args} changed the state"
            assert state.refused_switch is not None
            assert state.notice
            return False
        event(f"{action} accepted")
        if len(state._undo_stack) == min(steps + 1, UNDO_DEPTH):
            self.undo_history.append(before)  # an edit Undo can take back
            del self.undo_history[:-UNDO_DEPTH]
        else:
            assert len(state._undo_stack) == steps, f"{action} changed the Undo history by more than one step"
        self.optimized = False
        return True

    # --- the actions ------------------------------------------------------------------------------
    @rule(new=st.lists(values, max_size=4))
    def add(self, new):
        self.attempt("add_observations", new)

    @rule(data=st.data(), value=values)
    def move(self, data, value):
        # -1, n and 0.5 name no observation
        index = data.draw(st.one_of(st.integers(-1, self.state.n), st.just(0.5)), label="index")
        self.attempt("move_observation", index, value)

    @rule(data=st.data())
    def delete(self, data):
        indices = data.draw(st.lists(st.integers(-1, self.state.n), max_size=3), label="indices")
        self.attempt("remove_observations", indices)

    @rule()
    def undo(self):
        state = self.state
        if not self.undo_history:
            before = everything_shown(state)
            state.undo()
            assert everything_shown(state) == before, "Undo with nothing to take back changed the state"
            return
        state.undo()
        assert everything_shown(state) == self.undo_history.pop(), "Undo did not restore the previous state exactly"
        self.optimized = False

    @rule(family=st.sampled_from(list(mle_core.FAMILIES)), clear=st.booleans())
    def switch_family(self, family, clear):
        self.attempt("switch_family", family, clear=clear)

    @rule(trials=st.one_of(st.integers(-1, 15), st.sampled_from([2.5, math.nan, 10**9, "ten"])))
    def set_trials(self, trials):
        self.attempt("set_constant", "n_trials", trials)

    @rule()
    def optimize(self):
        before = everything_shown(self.state)
        self.state.optimize()
        if self.state.n == 0:
            assert everything_shown(self.state) == before
            assert "Add at least one observation" in self.state.notice
            return
        after = everything_shown(self.state)
        assert after[:3] == before[:3], "Optimize changed the data"
        assert after[4:] == before[4:], "Optimize changed the scenario or the true parameters"
        self.optimized = True
        # What Optimize said; a later refused action (a family switch the data do not allow) has its own notice.
        self.optimize_notice = self.state.notice

    @rule(data=st.data())
    def set_parameters(self, data):
        names = self.state.family_spec.parameter_names
        chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True), label="names")
        new = {name: data.draw(parameter_values, label=name) for name in chosen}
        allowed = all(math.isfinite(v) and self.state.family_spec.parameters[names.index(n)].contains(v)
                      for n, v in new.items())  # fmt: skip
        if self.attempt("set_parameters", **new):
            assert allowed, f"set_parameters({new}) was accepted"
            assert {name: self.state.theta[name] for name in new} == new
        else:
            assert not allowed, f"set_parameters({new}) was refused: {self.state.notice}"

    @rule(name=st.sampled_from(sorted(SCENARIOS)))
    def load_scenario(self, name):
        assert self.attempt("load_scenario", name)
        assert self.state.scenario == name

    @rule(size=st.integers(0, 20))
    def draw_sample(self, size):
        if self.attempt("draw_sample", size):
            assert self.state.n == size

    @rule(new=st.lists(values, max_size=6))
    def set_observations(self, new):
        self.attempt("set_observations", new)

    # --- invariants ----------------------------------------------------------------------------------------
    @invariant()
    def the_log_likelihood_shown_is_that_of_the_data_shown(self):
        state = self.state
        expected = mle_core.log_likelihood(state.family, state.observations, **state.theta, **state.constants)
        shown = state.log_likelihood
        if math.isinf(expected) or math.isinf(shown):
            assert shown == expected, (shown, expected)
        else:
            assert math.isclose(shown, expected, rel_tol=1e-9, abs_tol=1e-9), (shown, expected)

    @invariant()
    def every_slider_is_within_its_range(self):
        state = self.state
        assert state.theta == state.model.values
        for name, value in state.theta.items():
            low, high = state.model.param[name].bounds
            assert all(math.isfinite(v) for v in (low, high, value)), (name, low, value, high)
            assert low <= value <= high, (name, low, value, high)

    @invariant()
    def the_estimate_is_that_of_the_data_shown(self):
        state = self.state
        if state.n == 0:
            assert state.mle is None
            return
        fit = mle_core.fit_result(state.family, state.observations, **state.constants)
        for name, estimate in fit.params.items():
            assert close(state.mle.params[name], estimate, state), (state.mle, fit)
        assert close(state.mle.log_likelihood, fit.log_likelihood), (state.mle, fit)

    @precondition(lambda self: self.optimized)
    @invariant()
    def after_optimize_theta_is_the_estimate(self):
        state = self.state
        fit = mle_core.fit_result(state.family, state.observations, **state.constants)
        for p in state.family_spec.parameters:
            estimate, value = fit.params[p.name], state.theta[p.name]
            low, high = state.model.param[p.name].bounds
            if math.isfinite(estimate) and p.contains(estimate):
                assert close(value, estimate, state), (p.name, value, fit)
            else:  # no finite maximum in the family's range: the end of the slider the estimate points to
                event(f"Optimize without a finite maximum ({state.family})")
                assert value == (low if estimate <= p.lower else high), (p.name, value, low, high, fit)
                assert fit.message[1:] in self.optimize_notice, (self.optimize_notice, fit.message)  # it says why


TestExplorerStateMachine = ExplorerMachine.TestCase
TestExplorerStateMachine.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,  # the first Weibull fit imports scipy
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def same(a: float, b: float) -> bool:
    """Equal, NaN counting as equal to NaN, and 0.0 as different from -0.0."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


#: The edge values each strategy must actually draw: non-numbers, infinities, the largest and the smallest
#: positive floats (subnormals included), and the bounds the app puts on observations (±1e150).
EDGES = {
    "observation": (values, [math.nan, math.inf, -math.inf, 1e308, 1e-308, 5e-324, 1e150, -1e150, 1e151, 0.0]),
    "parameter": (parameter_values, [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e-320, 0.0, 1.0]),
}


@pytest.mark.parametrize(
    ("strategy", "edge"),
    [(strategy, edge) for strategy, edges in EDGES.values() for edge in edges],
    ids=[f"{kind} {edge!r}" for kind, (_, edges) in EDGES.items() for edge in edges],
)
def test_the_machine_s_value_strategies_reach_the_edges(strategy, edge):
    # Reachable, not merely possible: hypothesis itself must draw the value from the strategy the machine uses.
    found = find(strategy, lambda value: same(value, edge), settings=settings(max_examples=2_000, database=None))
    assert same(found, edge)
