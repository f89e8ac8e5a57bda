"""The climb's step written out by the app (``mle_explorer.climb.step_text``): mle_core gives the numbers, the app
writes them in its one number format, and says in a first course's words why a step was damped or halved."""

from __future__ import annotations

import re

import pytest

from mle_core import inference
from mle_explorer.climb import DAMPING_TEXT, step_text
from mle_explorer.landscape import LandscapePanel
from mle_explorer.numbers import number, parameter
from mle_explorer.state import EXAMPLE_OBSERVATIONS, ExplorerState

_E_NOTATION = re.compile(r"\d(?:\.\d+)?[eE][+\-−]?\d")


@pytest.fixture
def state():
    return ExplorerState()  # the five example points, μ = 0, σ = 1


def test_a_gradient_step_with_a_fixed_eta_lists_its_numbers(state):
    step = inference.gradient_ascent_step("gaussian", EXAMPLE_OBSERVATIONS, state.theta, step_size=0.01)
    text = step_text(step, state)
    assert "η = 0.01,  t = 1" in text
    assert "μ_new = 0 + 1 × 0.01 × 11.2 = 0.112" in text
    assert "σ_new = 1 + 1 × 0.01 × 20.88 = 1.209" in text  # 1.2088, as σ's slider writes it


def test_a_step_halved_to_stay_inside_says_so_in_words(state):
    # At (2.24, 2): ∂ℓ/∂σ = −2.401; η = 10 would put σ at −22, so the step is halved four times.
    state.set_parameters(mu=2.24, sigma=2.0)
    step = inference.gradient_ascent_step("gaussian", EXAMPLE_OBSERVATIONS, state.theta, step_size=10.0)
    text = step_text(step, state)
    assert "t = 0.0625" in text
    assert "× (−2.401) =" in text  # a negative factor in brackets
    assert "The step was halved 4 times to stay inside the parameter space." in text


def test_a_newton_step_lists_its_matrix_gradient_and_moves(state):
    state.set_parameters(mu=2.2, sigma=0.45)
    step = inference.newton_step("gaussian", EXAMPLE_OBSERVATIONS, state.theta)
    text = step_text(step, state)
    assert text.startswith("θ_new = θ + t·I⁻¹∇ℓ(θ),  I = −∂²ℓ = [")
    mu_step = state.model.param["mu"].step
    assert f"μ_new = 2.2 + 1 × {number(step.direction['mu'])} = {parameter(step.theta_new['mu'], mu_step)}" in text
    assert DAMPING_TEXT not in text


def test_a_damped_newton_step_is_told_in_first_course_words_with_alpha_not_lambda(state):
    # At (0, 1) −∂²ℓ has a negative eigenvalue: the step is damped ("Levenberg damping with λ = 0.351" before).
    step = inference.newton_step("gaussian", EXAMPLE_OBSERVATIONS, state.theta)
    text = step_text(step, state)
    assert step.levenberg == pytest.approx(0.3507, abs=5e-5)
    assert "θ_new = θ + t·(I + α·D)⁻¹∇ℓ(θ),  α = 0.3507," in text
    assert DAMPING_TEXT in text
    assert "λ" not in text
    assert "Levenberg" not in text
    assert "The step was halved once so that ℓ does not decrease." in text


def test_the_last_steps_of_a_climb_show_rounding_noise_as_approximately_zero():
    panel = LandscapePanel(state=ExplorerState(), collapsed=False)
    climb = panel.climb
    for method in ("newton", "gradient"):
        climb.reset()
        climb.method_buttons.value = method
        climb.run()
        assert "Converged after" in climb.text
        text = climb.text + climb._table.object
        assert not _E_NOTATION.search(text), text
        assert "≈ 0" in text  # ∇ℓ at the top: 10⁻¹⁵ of noise, "1.776e−15" once
        assert "ℓ went from −2.488 to −2.488" in text
        assert not re.search(r"\d{7}", text), "no number with more than six figures"
