"""Try first: the answer (θ̂, ℓ̂, the best fit, the truth) is hidden until Optimize, a converged climb or "Show the
best fit"; new data hide it again; a teacher can keep it shown (``?answer=shown``). Also the wording that came
with it: the scenarios' outcomes and stories, and AIC differences below 2. No browser."""

from __future__ import annotations

import re

import pytest

from mle_core.scenarios import SCENARIOS
from mle_explorer.explorer import MLEExplorer
from mle_explorer.landscape import LandscapePanel
from mle_explorer.numbers import number
from mle_explorer.uncertainty import HIDDEN_TEXT


@pytest.fixture
def explorer():
    return MLEExplorer()


def answer_on_screen(explorer) -> bool:
    """Whether the readout and the plot show the answer (and check that both say the same)."""
    readout = 'data-testid="mle-' in explorer.readout.text or "max-log-likelihood" in explorer.readout.text
    curve = len(explorer.plot._mle_curve.data["x"]) > 0
    assert readout == curve, f"the readout {'shows' if readout else 'hides'} θ̂, the plot's best fit does not agree"
    return readout


def test_the_answer_is_hidden_at_the_start_and_the_readout_gives_a_hot_cold_cue(explorer):
    state = explorer.state
    assert not state.answer_shown
    assert not answer_on_screen(explorer)
    text = explorer.readout.text
    assert "2.24" not in text
    assert "0.398" not in text
    assert "−2.488" not in text
    assert 'data-testid="gap">15.047<' in text
    assert "<b>cold</b>" in text
    assert "press Optimize to see it" in text
    assert explorer.readout.spoken == "log-likelihood −17.535, 15.047 below the maximum (cold), n = 5"
    legend = [item.label["value"] for item in explorer.plot.figure.legend[0].items if item.visible]
    assert not any(label.startswith("best fit") for label in legend)
    assert explorer.plot.figure.legend[0].click_policy == "hide"


def test_the_cue_says_warmer_or_colder_after_each_move(explorer):
    state = explorer.state
    state.set_parameters(mu=1.0)
    assert "warmer than before" in explorer.readout.text
    assert "<b>warm</b>" in explorer.readout.text
    state.set_parameters(mu=0.5)
    assert "colder than before" in explorer.readout.text
    state.set_parameters(mu=2.2, sigma=0.5)
    assert "<b>hot</b>" in explorer.readout.text
    assert not state.answer_shown, "getting close does not reveal the answer"


def test_optimize_reveals_the_answer_and_new_data_hide_it_again(explorer):
    state = explorer.state
    state.optimize()
    assert state.answer_shown
    assert answer_on_screen(explorer)
    assert 'data-testid="mle-mu">2.24<' in explorer.readout.text
    assert 'data-testid="mle-sigma">0.398<' in explorer.readout.text
    assert explorer.controls.answer_box.value, "the box shows that the best fit is shown"
    for new_data in (
        lambda: state.load_scenario("weighted_coin"),
        lambda: state.draw_sample(20, p=0.3),
        state.reset_example,
        lambda: state.set_observations([1.0, 2.0, 4.0]),
        state.clear,
        lambda: state.switch_family("exponential"),
    ):
        if state.n:
            state.optimize()
        else:
            state.show_answer()
        assert state.answer_shown
        new_data()
        assert not state.answer_shown
        assert not answer_on_screen(explorer)
        assert not explorer.controls.answer_box.value


def test_edits_of_the_data_in_view_keep_the_answer_as_it_is(explorer):
    state = explorer.state
    state.optimize()
    state.add_observations([3.1])
    state.move_observation(0, 2.0)
    state.remove_observations([1])
    assert state.answer_shown, "the shown fit follows the edited data"
    assert answer_on_screen(explorer)
    state.load_scenario("factory_defects")
    state.optimize()
    state.set_constant("n_trials", 25)
    assert state.answer_shown, "a new m is an edit of the model in view, not new data"


def test_undo_brings_the_answer_back_as_it_was_before_the_edit_undone(explorer):
    state = explorer.state
    state.add_observations([3.0])  # hidden
    state.optimize()  # shown
    state.load_scenario("machine_errors")  # new data: hidden
    assert not state.answer_shown
    state.undo()  # back to the data whose answer had been shown
    assert state.answer_shown
    assert answer_on_screen(explorer)
    state.undo()  # before the point was added: the answer was hidden then
    assert not state.answer_shown
    assert not answer_on_screen(explorer)
    assert state.n == 5


def test_a_teacher_keeps_the_answer_shown_for_every_data_set_and_unticking_ends_it(explorer):
    state, box = explorer.state, explorer.controls.answer_box
    box.value = True
    assert state.answer_shown
    assert state.answer_kept
    assert answer_on_screen(explorer)
    state.load_scenario("bulb_lifetimes")
    assert state.answer_shown, "kept shown for new data"
    assert answer_on_screen(explorer)
    assert 'data-testid="true-rate">8.333 × 10⁻⁴<' in explorer.readout.text
    state.undo()
    assert state.answer_shown
    box.value = False
    assert not (state.answer_shown)
    assert not (state.answer_kept)
    assert not answer_on_screen(explorer)
    state.optimize()
    state.load_scenario("bulb_lifetimes")
    assert not state.answer_shown, "revealed by Optimize, not kept: new data hide it"


def test_a_link_with_answer_shown_opens_with_the_answer_kept_shown(explorer):
    explorer.share.restore_from_request({"answer": [b"shown"]})
    assert explorer.state.answer_shown
    assert explorer.state.answer_kept
    assert explorer.controls.answer_box.value
    other = MLEExplorer()
    other.share.restore({"answer": "shown", "family": "poisson", "x": "2,3,0"})
    assert other.state.family == "poisson"
    assert other.state.answer_shown, "the link's view loads after, kept shown"
    third = MLEExplorer()
    third.share.restore({"answer": "yes"})
    assert not third.state.answer_shown
    assert "answer='yes' was not understood" in third.state.notice


def test_the_landscape_hides_the_mle_s_marks_until_the_answer_is_shown(explorer):
    panel = LandscapePanel(state=explorer.state, collapsed=False)
    surface = panel.surface
    state = explorer.state
    state.load_scenario("bulb_wear_out")
    assert surface._mle.data["x"] == []
    assert surface._truth.data["x"] == []
    assert not surface._contours.visible
    how_sure = panel.how_sure
    how_sure.active = True
    assert HIDDEN_TEXT in how_sure.text
    assert "standard error" not in how_sure.text
    assert panel.overlays.intervals == {}
    state.optimize()
    assert len(surface._mle.data["x"]) == 1
    assert len(surface._truth.data["x"]) == 1
    assert surface._contours.visible
    assert "standard error" in how_sure.text
    assert set(panel.overlays.intervals) == {"shape", "scale"}
    state.load_scenario("five_measurements")
    assert surface._mle.data["x"] == []
    assert HIDDEN_TEXT in how_sure.text


def test_a_climb_that_reaches_the_top_reveals_the_answer(explorer):
    panel = LandscapePanel(state=explorer.state, collapsed=False)
    climb = panel.climb
    climb.method_buttons.value = "newton"
    climb.step()
    assert not explorer.state.answer_shown, "one step is not the top"
    climb.run()
    assert "Converged after" in climb.text
    assert explorer.state.answer_shown
    assert answer_on_screen(explorer)


def test_no_scenario_s_story_states_its_estimate():
    import mle_core

    for scenario in SCENARIOS.values():
        fit = mle_core.fit(scenario.family, scenario.observations, **scenario.constants)
        for name, value in fit.items():
            for figures in (2, 3, 4):
                written = number(value, figures)
                assert not re.search(rf"(?<![\d.]){re.escape(written)}(?![\d])", scenario.story), (
                    f"the {scenario.name} story states {name}̂ = {written}"
                )


def test_each_yes_no_scenario_names_its_own_outcomes(explorer):
    state, controls = explorer.state, explorer.controls
    state.switch_family("bernoulli", clear=True)
    assert [b.name for b in controls.outcome_buttons.objects] == ["Success (1)", "Failure (0)"]
    state.load_scenario("weighted_coin")
    assert [b.name for b in controls.outcome_buttons.objects] == ["Heads (1)", "Tails (0)"]
    state.load_scenario("ab_test")
    assert [b.name for b in controls.outcome_buttons.objects] == ["Clicked (1)", "Did not click (0)"]
    controls.outcome_buttons.objects[1].clicks += 1
    assert state.observations[-1] == 0.0
    state.load_scenario("five_measurements")
    assert not controls.outcome_buttons.visible


def test_aic_differences_below_two_read_as_no_real_difference(explorer):
    table = explorer.comparison
    table._card.collapsed = False
    text = table.text
    # The five measurements: Gaussian 8.976, Weibull 8.943: 0.033 apart is no winner.
    assert "← lowest" not in text
    assert "Gaussian (normal) and Weibull (lifetimes with wear-out) fit about equally well" in text
    assert text.count("← among the best") == 2
    explorer.state.set_observations([-1.5, 0.5, 2.0, -3.0])  # only the Gaussian applies: it is the lowest
    text = table.text
    assert text.count("← lowest") == 1
    assert "← among the best" not in text
    assert "equally well" not in text


def test_the_theme_switch_keeps_a_teacher_s_answer_shown(monkeypatch):
    import urllib.parse

    import panel as pn
    from panel.io.location import Location

    from mle_explorer.classroom import Classroom

    classroom = Classroom(explorer=MLEExplorer())
    state = classroom.explorer.state
    location = Location()
    monkeypatch.setattr(pn.state, "_location", location)  # the page's URL, outside a server session
    classroom.theme_button.clicks += 1
    assert "answer" not in dict(urllib.parse.parse_qsl(location.search.lstrip("?")))
    assert not state.answer_shown
    state.show_answer(keep=True)
    # The switch is in place (no reload, no link to carry the view): the same session keeps the answer shown.
    classroom.theme_button.clicks += 1
    assert classroom.explorer.state is state
    assert (state.answer_shown, state.answer_kept) == (True, True)
    state.add_observations([3.0])  # kept for the data to come, as before the switch
    assert state.answer_shown
