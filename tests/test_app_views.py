"""The views, driven through their widgets and Bokeh events, with no browser."""

import asyncio
import html
import itertools

import numpy as np
import panel as pn
import pytest
import scipy.stats
from bokeh.events import DoubleTap, Press, Tap

from mle_explorer.controls import ANIMATION_DURATION_S, ANIMATION_PERIOD_MS, ease
from mle_explorer.explorer import MLEExplorer, create_app
from mle_explorer.plot import removed_positions
from mle_explorer.widgets import Formulas


@pytest.fixture
def explorer():
    return MLEExplorer()


def observation_source(explorer):
    return explorer.plot._observations


def test_the_page_builds_without_a_server():
    page = create_app()
    assert isinstance(page, pn.template.BaseTemplate)


def test_sliders_are_labelled_and_two_way_linked(explorer):
    mu_slider, sigma_slider = explorer.controls.sliders["mu"], explorer.controls.sliders["sigma"]
    assert mu_slider.name.startswith("μ")
    assert sigma_slider.name.startswith("σ")
    mu_slider.value = 1.5
    assert explorer.state.model.mu == 1.5
    explorer.state.model.sigma = 0.7
    assert sigma_slider.value == 0.7
    explorer.state.set_observations([1e8, 1e8 + 2])
    assert (mu_slider.start, mu_slider.end) == explorer.state.model.param.mu.bounds


def test_optimize_button_moves_the_sliders_to_the_mle(explorer):
    explorer.controls.optimize_button.clicks += 1
    assert explorer.controls.sliders["mu"].value == pytest.approx(2.24, abs=1e-12)
    assert explorer.controls.sliders["sigma"].value == pytest.approx(np.std([2.3, 1.9, 2.5, 2.8, 1.7]), rel=1e-12)


def test_optimize_animates_in_an_event_loop_and_ends_exactly_on_the_mle(explorer, monkeypatch):
    # A clock that advances one period at every reading stands for an idle server (a real clock on a busy CI
    # machine can skip every frame, which the next test covers): the frames fall at 1/3, 1/2, 2/3 and 5/6 of
    # the animation's time, then the exact estimate.
    period_s = ANIMATION_PERIOD_MS / 1e3
    readings = (i * period_s for i in itertools.count())
    monkeypatch.setattr("mle_explorer.controls._now", lambda: next(readings))
    seen = []
    explorer.state.model.param.watch(lambda event: seen.append(event.new), "mu")

    async def press_and_wait():
        explorer.controls.optimize_button.clicks += 1
        for _ in range(400):
            if explorer.state.model.mu == explorer.state.mle.params["mu"] and explorer.controls._animation is None:
                return
            await asyncio.sleep(0.01)

    asyncio.run(press_and_wait())
    assert explorer.state.model.mu == explorer.state.mle.params["mu"]
    assert explorer.state.model.sigma == explorer.state.mle.params["sigma"]
    expected = [2.24 * ease((elapsed + period_s) / ANIMATION_DURATION_S) for elapsed in (0.05, 0.1, 0.15, 0.2)]
    assert seen[:-1] == pytest.approx(expected, rel=1e-12), seen
    assert seen == sorted(seen), "the animation moved backwards"
    # The controls work as before once the animation is over.
    explorer.controls.entry.value_input = "3.5"
    explorer.controls.add_button.clicks += 1
    assert explorer.state.n == 6
    assert explorer.controls._hint.object == "Added 1 observation."


def test_optimize_frames_are_placed_by_elapsed_time_so_a_slow_server_draws_fewer(explorer, monkeypatch):
    # A clock that advances 0.1 s at every reading stands for a server so busy that each frame arrives
    # 100 ms after the last: the animation still ends after 0.3 s, in three frames instead of six.
    readings = iter(np.arange(0.0, 100.0, 0.1))
    monkeypatch.setattr("mle_explorer.controls._now", lambda: next(readings))
    seen = []
    explorer.state.model.param.watch(lambda event: seen.append(event.new), "mu")

    async def press_and_wait():
        explorer.controls.optimize_button.clicks += 1
        for _ in range(400):
            if explorer.controls._animation is None:
                return
            await asyncio.sleep(0.01)

    asyncio.run(press_and_wait())
    period_s = ANIMATION_PERIOD_MS / 1e3
    expected = [2.24 * ease((elapsed + period_s) / ANIMATION_DURATION_S) for elapsed in (0.1, 0.2)]
    assert seen[:2] == pytest.approx(expected, rel=1e-12)
    assert seen[-1] == explorer.state.mle.params["mu"]
    assert len(seen) == 3, seen


def test_a_failing_animation_frame_stops_the_animation(explorer, monkeypatch):
    frames = []

    def failing_frame(**parameters):
        frames.append(parameters)
        raise RuntimeError("this frame failed")

    async def press_and_wait():
        monkeypatch.setattr(explorer.state, "set_parameters", failing_frame)
        explorer.controls.optimize_button.clicks += 1
        for _ in range(100):  # 1 s: twenty frames' time
            await asyncio.sleep(0.01)

    asyncio.run(press_and_wait())
    assert len(frames) == 1, "the animation went on after a frame failed"
    assert explorer.controls._animation is None


def test_optimize_is_disabled_with_a_hint_when_there_is_no_data(explorer):
    explorer.controls.clear_button.clicks += 1
    assert explorer.controls.optimize_button.disabled
    assert "at least one observation" in explorer.controls._hint.object
    explorer.state.add_observations([1.0])
    assert not explorer.controls.optimize_button.disabled


def test_readout_shows_labelled_numbers(explorer):
    text = explorer.readout.text
    assert "log-likelihood ℓ(μ, σ) = " in text
    assert "−17.535" in text
    assert ">5</span> observations" in text
    explorer.state.optimize()
    text = explorer.readout.text
    assert 'data-testid="gap">0<' in text or 'data-testid="gap">≈ 0<' in text  # within ℓ's last decimal
    explorer.state.set_observations([2.0])
    assert "no finite maximum" in explorer.readout.text


def test_the_readout_s_spoken_line_follows_each_change(explorer):
    assert explorer.readout.spoken == "log-likelihood −17.535, 15.047 below the maximum (cold), n = 5"
    explorer.state.optimize()
    assert explorer.readout.spoken == "log-likelihood −2.488, 0 below the maximum (at the top), n = 5"
    explorer.state.clear()
    assert explorer.readout.spoken == "log-likelihood 0.000, n = 0"


def test_per_point_densities_follow_the_parameters(explorer):
    source = observation_source(explorer)
    figure_before, source_before = explorer.plot.figure, source
    explorer.state.model.param.update(mu=2.0, sigma=0.5)
    expected = scipy.stats.norm.pdf(explorer.state.observations, 2.0, 0.5)
    np.testing.assert_allclose(source.data["density"], expected, rtol=1e-12)
    np.testing.assert_allclose(source.data["log_density"], np.log(expected), rtol=1e-12)
    curve = explorer.plot._curve.data
    np.testing.assert_allclose(curve["density"], scipy.stats.norm.pdf(curve["x"], 2.0, 0.5), rtol=1e-12)
    # built once, updated in place
    assert explorer.plot.figure is figure_before
    assert observation_source(explorer) is source_before


def test_a_tap_adds_an_observation_and_a_double_tap_too(explorer):
    figure = explorer.plot.figure
    figure._trigger_event(Tap(figure, x=0.5, y=0.3))
    figure._trigger_event(DoubleTap(figure, x=3.9, y=0.2))
    assert explorer.state.observations.tolist()[-2:] == [0.5, 3.9]
    assert observation_source(explorer).data["x"].tolist()[-2:] == [0.5, 3.9]
    assert explorer.state.n == 7


def test_a_tap_on_an_existing_point_selects_rather_than_adds(explorer):
    figure = explorer.plot.figure
    figure._trigger_event(Tap(figure, x=2.3 + 1e-4, y=0.0))
    assert explorer.state.n == 5


def test_a_long_press_on_a_point_removes_it_and_elsewhere_does_nothing(explorer):
    # A touch screen has no Backspace: holding a finger on a point removes it (BokehJS sends a Press, and no Tap).
    figure = explorer.plot.figure
    figure._trigger_event(Press(figure, x=1.0, y=0.3))  # on no point: nothing added, nothing removed
    assert explorer.state.n == 5
    figure._trigger_event(Press(figure, x=2.5 + 1e-4, y=0.0))
    assert explorer.state.observations.tolist() == [2.3, 1.9, 2.8, 1.7]
    assert observation_source(explorer).data["x"].tolist() == [2.3, 1.9, 2.8, 1.7]
    assert explorer.state.notice == "Removed observation 3 (2.5). Undo brings it back.", "as the editing card says it"
    explorer.controls.undo_button.clicks += 1
    assert explorer.state.observations.tolist() == [2.3, 1.9, 2.5, 2.8, 1.7]


def test_a_drag_in_the_browser_moves_the_observation(explorer):
    source = observation_source(explorer)
    data = {name: np.array(values, dtype=float) for name, values in source.data.items()}
    data["x"][1], data["y"][1] = 3.6, 0.2  # the PointDrawTool sends all columns after a drag
    source.data = data
    assert explorer.state.observations.tolist() == [2.3, 3.6, 2.5, 2.8, 1.7]
    assert source.data["y"][1] == 0.0  # back on the axis
    assert source.data["density"][1] == pytest.approx(scipy.stats.norm.pdf(3.6, 0.0, 1.0))


def test_a_delete_in_the_browser_removes_the_observation(explorer):
    source = observation_source(explorer)
    source.data = {name: np.delete(np.asarray(values), [0, 3]) for name, values in source.data.items()}
    assert explorer.state.observations.tolist() == [1.9, 2.5, 1.7]
    explorer.controls.undo_button.clicks += 1
    assert explorer.state.observations.tolist() == [2.3, 1.9, 2.5, 2.8, 1.7]
    assert len(source.data["x"]) == 5


def test_a_delete_sent_before_the_browser_heard_of_a_new_point_removes_only_the_selected_one(explorer):
    # A click adds 4.0 while the browser, not yet told, deletes the selected #1 from the five it has: the list it
    # sends lacks both, and was read as a deletion of both (the new point was lost without a word).
    source, figure = observation_source(explorer), explorer.plot.figure
    browser_had = {name: np.asarray(values).copy() for name, values in source.data.items()}
    source.selected.indices = [1]  # the student selects #1 …
    figure._trigger_event(Tap(figure, x=4.0, y=0.4))  # … a click just before reaches the server first
    assert explorer.state.n == 6
    source.selected.indices = []  # the point-drawing tool clears the selection, then sends the rest
    source.data = {name: np.delete(values, [1]) for name, values in browser_had.items()}
    assert explorer.state.observations.tolist() == [2.3, 2.5, 2.8, 1.7, 4.0]


@pytest.mark.parametrize(
    ("before", "after", "removed"),
    [([1, 2, 3], [1, 3], [1]), ([1, 1, 1], [1], [1, 2]), ([5, 6], [], [0, 1]), ([1, 2], [1, 2], [])],
)
def test_removed_positions(before, after, removed):
    assert removed_positions(np.array(before), np.array(after)) == removed


def test_sessions_are_independent():
    first, second = MLEExplorer(), MLEExplorer()
    first.plot.figure._trigger_event(Tap(first.plot.figure, x=0.4, y=0.4))
    assert first.state.n == 6
    assert second.state.n == 5
    assert first.plot.figure is not second.plot.figure


def test_typed_values_are_added_and_bad_ones_refused_without_losing_the_text(explorer):
    controls = explorer.controls
    controls.entry.value_input = "0.5, 4.25; 3"
    controls.add_button.clicks += 1
    assert explorer.state.observations.tolist()[-3:] == [0.5, 4.25, 3.0]
    assert controls.entry.value_input == ""
    controls.entry.value_input = "1.0 two inf"
    controls.entry.param.trigger("enter_pressed")
    assert explorer.state.n == 8
    # The hint is HTML with the student's text escaped (a notice never runs HTML): what the page shows.
    assert "entry 2 ('two') is not a number" in html.unescape(controls._hint.object)
    assert controls.entry.value_input == "1.0 two inf"


def test_many_observations_are_drawn_as_a_histogram_not_point_by_point(explorer):
    plot = explorer.plot
    limit = plot.points_limit
    rng = np.random.default_rng(5)
    explorer.state.set_observations(rng.normal(2.0, 0.5, limit + 500))
    assert not plot.shows_points
    assert len(plot._observations.data["x"]) == 0  # nothing per point crosses the websocket
    assert plot._bars.visible
    assert not plot._points.visible
    assert f"{limit + 500:,} observations" in plot.hint.object  # the hint above the plot says so
    legend = {item.label.value: item.visible for item in plot.figure.legend[0].items}
    assert legend["observations (histogram)"]
    assert not legend["observations xᵢ"]
    x = explorer.state.observations
    in_view = np.sum((x >= plot._x_range.start) & (x <= plot._x_range.end))
    assert plot._histogram.data["count"].sum() == in_view
    # the bars are on the density scale: their area is the share of observations in view
    widths = plot._histogram.data["right"] - plot._histogram.data["left"]
    assert np.sum(plot._histogram.data["density"] * widths) == pytest.approx(in_view / explorer.state.n)
    before = plot._histogram.data["count"].copy()
    plot.figure._trigger_event(Tap(plot.figure, x=2.0, y=0.0))  # no points to hit: adds one
    assert explorer.state.n == limit + 501
    assert plot._histogram.data["count"].sum() == before.sum() + 1
    explorer.state.model.mu = 1.0  # a slider step sends only the curve
    assert len(plot._observations.data["x"]) == 0
    explorer.state.set_observations([1.0, 2.0])
    assert plot.shows_points
    assert plot._points.visible
    assert not plot._bars.visible
    assert plot._observations.data["x"].tolist() == [1.0, 2.0]
    legend = {item.label.value: item.visible for item in plot.figure.legend[0].items}
    assert not legend["observations (histogram)"]
    assert legend["observations xᵢ"]


def test_remove_selected_button(explorer):
    plot = explorer.plot
    assert plot.remove_button.disabled
    plot._observations.selected.indices = [1, 3]
    assert not plot.remove_button.disabled
    plot.remove_button.clicks += 1
    assert explorer.state.observations.tolist() == [2.3, 2.5, 1.7]
    assert plot.remove_button.disabled


def test_text_at_the_box_limit_is_refused_rather_than_silently_cut(explorer):
    from mle_explorer.controls import TYPED_TEXT_LIMIT

    controls = explorer.controls
    controls.entry.value_input = ("1.25, " * TYPED_TEXT_LIMIT)[:TYPED_TEXT_LIMIT]
    controls.add_button.clicks += 1
    assert explorer.state.n == 5
    assert "character limit" in controls._hint.object
    assert controls.entry.max_length == TYPED_TEXT_LIMIT


def test_legend_lists_only_what_is_drawn(explorer):
    def shown():
        return {item.label.value for item in explorer.plot.figure.legend[0].items if item.visible}

    # The best fit is drawn (and listed) once the answer is shown: tests/test_app_try_first.py.
    assert shown() == {"model N(μ, σ²)", "f(xᵢ): each point's density", "observations xᵢ"}
    explorer.state.optimize()
    assert shown() == {"best fit N(μ̂, σ̂²)", "model N(μ, σ²)", "f(xᵢ): each point's density", "observations xᵢ"}
    explorer.state.clear()
    assert shown() == {"model N(μ, σ²)"}
    explorer.state.add_observations([1.0])
    explorer.state.show_answer()  # σ̂ = 0: shown or not, there is no best-fit curve to draw
    assert shown() == {"model N(μ, σ²)", "f(xᵢ): each point's density", "observations xᵢ"}


def test_typed_values_beyond_the_limit_are_refused_with_a_message(explorer):
    controls = explorer.controls
    controls.entry.value_input = "2.0, 1e200"
    controls.add_button.clicks += 1
    assert explorer.state.n == 5
    assert "within ±10¹⁵⁰; found 1e+200 at index 1" in controls._hint.object
    assert controls.entry.value_input == "2.0, 1e200"


def test_a_selection_does_not_outlive_the_data_it_was_made_in(explorer):
    plot = explorer.plot
    explorer.state.add_observations([3.9])
    plot._observations.selected.indices = [5]
    explorer.state.undo()
    assert plot.selected_indices == []
    assert plot.remove_button.disabled
    plot._observations.selected.indices = [7]  # as if the browser had not heard of the undo yet
    assert plot.remove_selected() == 0
    assert explorer.state.n == 5
    plot._observations.selected.indices = [3]
    explorer.controls.clear_button.clicks += 1
    explorer.controls.reset_button.clicks += 1
    assert plot.selected_indices == []


def in_view(plot, values):
    return all(plot._x_range.start <= x <= plot._x_range.end for x in values)


def test_the_view_follows_the_data(explorer):
    plot, state = explorer.plot, explorer.state
    state.clear()
    state.add_observations([100.0, 101.0, 103.0])  # typed far from the current view
    assert in_view(plot, [100.0, 101.0, 103.0])
    assert plot._y_range.end > plot._y_range.start  # the curve is 0 here: the axis is kept, not collapsed
    state.optimize()
    assert plot._y_range.end == pytest.approx(1.12 * plot._curve.data["density"].max())
    state.reset_example()
    assert in_view(plot, [1.7, 2.8])
    assert plot._x_range.end - plot._x_range.start < 20  # the five points are not squashed into a pixel
    state.undo()
    assert in_view(plot, [100.0, 103.0])


def test_zoom_is_kept_while_clicking_inside_it(explorer):
    plot = explorer.plot
    plot._x_range.update(start=1.5, end=3.0)
    plot.figure._trigger_event(Tap(plot.figure, x=2.05, y=0.3))
    assert (plot._x_range.start, plot._x_range.end) == (1.5, 3.0)


@pytest.mark.parametrize(
    "text", ["<div style='color: red'>ℓ = −17.535 &amp; <i>n</i> = 5</div>", "a < b & c", "", "<script>x()</script>"]
)
def test_live_html_sends_the_text_panel_s_own_html_pane_would(text):
    from bokeh.document import Document

    from mle_explorer.widgets import LiveHTML

    live, reference = LiveHTML("start", styles={"color": "red"}), pn.pane.HTML("start", styles={"color": "red"})
    live_model, reference_model = live.get_root(Document()), reference.get_root(Document())
    live.object = reference.object = text
    assert live_model.text == reference_model.text
    assert live_model.styles == reference_model.styles


def _rendered_labels(viewable) -> set[str]:
    """The labels of every button and input Bokeh would send to the page for ``viewable``."""
    from bokeh.document import Document

    document = Document()
    document.add_root(pn.panel(viewable).get_root(document))
    texts = (getattr(model, "label", None) or getattr(model, "title", None) for model in document.models)
    labels = {text for text in texts if isinstance(text, str)}
    document.clear()  # releases the models (a slider's formatter is one Bokeh model): the next render may take them
    return labels


def test_the_collapsed_cards_send_nothing_until_a_student_opens_them(explorer):
    cards = {card.title: card for card in explorer._layout.select(pn.Card)}
    sampler_card = cards["Draw a new sample from known truth"]
    files_card = cards["Share a link · upload · download"]
    labels = _rendered_labels(explorer)
    assert "Draw a new sample" not in labels
    assert "Link to this view" not in labels
    assert sampler_card.objects == []
    assert files_card.objects == []
    assert "sampler" not in vars(explorer)  # not made yet
    assert "files" not in vars(explorer)

    sampler_card.collapsed = False
    files_card.collapsed = False
    assert "sampler" in vars(explorer)
    assert "files" in vars(explorer)
    labels = _rendered_labels(explorer)
    assert {"Draw a new sample", "Link to this view", "Download observations (CSV)"} <= labels

    # Built once: closing and opening again keeps what the student typed.
    explorer.sampler.size_input.value = 7
    sampler_card.collapsed = True
    sampler_card.collapsed = False
    assert explorer.sampler.size_input.value == 7
    assert len(sampler_card.objects) == 1


def test_a_view_asked_for_before_its_card_is_opened_is_the_one_the_card_shows(explorer):
    sampler = explorer.sampler  # e.g. a teacher's script drawing a sample
    sampler.size_input.value = 12
    card = next(card for card in explorer._layout.select(pn.Card) if card.title.startswith("Draw a new sample"))
    card.collapsed = False
    assert any(widget is sampler.size_input for widget in card.select(pn.widgets.IntInput))


def test_formulas_side_by_side_become_one_pane_each_and_follow_a_new_text():
    # A browser does not break a formula (MathML): several in one pane, or one long one, ran past a phone's edge.
    formulas = Formulas(r"$\hat\mu=\bar x\qquad \hat\sigma=s\allowbreak-t,\qquad n=5$", margin=(0, 10))
    assert [pane.object for pane in formulas.panes] == [r"$\hat\mu=\bar x$", r"$\hat\sigma=s$", "$-t,$", "$n=5$"]
    assert [pane.css_classes for pane in formulas.panes] == [
        [],
        ["mle-formula-next"],  # a formula of its own, 2em on
        ["mle-formula-continued"],  # the same formula, on the next line if need be
        ["mle-formula-next"],
    ]
    assert all(pane.renderer == "katex" and pane.margin == (0, 10) for pane in formulas.panes)
    kept = formulas.panes[0]
    formulas.object = r"$a=1\qquad b=2\allowbreak+3\qquad c=3$"
    assert formulas.panes[0] is kept, "pieces of the same kinds: the panes are kept and only their text changes"
    assert [pane.object for pane in formulas.panes] == ["$a=1$", "$b=2$", "$+3$", "$c=3$"]
    for text in (
        r"$\text{one}\qquad\text{formula}$ or $\frac{a}{c}$",  # not one $…$: one pane, as given
        r"$\frac{a\qquad b}{c}$",  # a separator inside braces separates nothing
        r"$a=b$",
    ):
        formulas.object = text
        assert [pane.object for pane in formulas.panes] == [text]
