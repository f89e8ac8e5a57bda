"""Moving or removing one observation by its number (the keyboard's way; the plot's needs a mouse)."""

from __future__ import annotations

import pytest

from mle_explorer.editing import ObservationEditor
from mle_explorer.state import EXAMPLE_OBSERVATIONS, ExplorerState


def typed(editor: ObservationEditor, text: str) -> None:
    editor.value_input.value_input = text
    editor.value_input.param.trigger("enter_pressed")


def test_one_observation_is_moved_and_removed_by_its_number_and_undo_takes_each_back():
    state = ExplorerState()
    editor = ObservationEditor(state=state)
    assert (editor.number.end, editor.number.value, editor.value_input.value) == (5, 1, "2.3")
    editor.number.value = 3
    assert editor.value_input.value == "2.5"
    assert editor.remove_button.label == "Remove observation 3"
    typed(editor, "\u22120.5")  # the minus sign the readout shows
    assert state.observations.tolist() == [2.3, 1.9, -0.5, 2.8, 1.7]
    assert state.notice == "Observation 3 is now -0.5."
    editor.remove_button.clicks += 1
    assert state.observations.tolist() == [2.3, 1.9, 2.8, 1.7]
    assert state.notice == "Removed observation 3 (-0.5). Undo brings it back."
    assert editor.value_input.value == "2.8"  # number 3 is now the one after it
    state.undo()
    state.undo()
    assert state.observations.tolist() == list(EXAMPLE_OBSERVATIONS)


def test_a_move_that_cannot_be_made_says_why_and_the_box_shows_the_value_kept():
    state = ExplorerState()
    state.switch_family("poisson", clear=True)
    state.add_observations([3, 4, 5])
    editor = ObservationEditor(state=state)
    editor.number.value = 2
    for text, reason in [
        ("2.5", "the Poisson (counts) family needs non-negative integers up to 10⁹; '2.5' is not"),
        ("abc", "entry 1 ('abc') is not a number"),
        ("1 2", "type one number, not 2"),
        ("", "no numbers found"),
    ]:
        typed(editor, text)
        assert state.notice.startswith("Not moved: ")
        assert reason in state.notice
        assert state.observations.tolist() == [3, 4, 5]
        assert editor.value_input.value == editor.value_input.value_input == "4"


def test_the_number_follows_the_data_and_nothing_is_offered_without_any():
    state = ExplorerState()
    editor = ObservationEditor(state=state)
    editor.number.value = 5
    editor.remove_button.clicks += 1
    assert (editor.number.end, editor.number.value, editor.value_input.value) == (4, 4, "2.8")
    state.clear()
    assert editor.value_input.value == ""
    assert editor.number.disabled
    assert editor.value_input.disabled
    assert editor.remove_button.disabled
    state.add_observations([7.0])
    assert not editor.remove_button.disabled
    assert (editor.number.end, editor.number.value, editor.value_input.value) == (1, 1, "7")


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e308", "1e-400", "x" * 5000])
def test_the_value_box_refuses_what_the_typing_box_refuses_with_a_short_message(text):
    state = ExplorerState()
    editor = ObservationEditor(state=state)
    typed(editor, text)
    if text == "1e-400":  # reads as 0.0, a fine Gaussian observation
        assert state.observations.tolist()[0] == 0.0
        return
    assert state.notice.startswith("Not moved: ")
    assert "index" not in state.notice  # a 0-based index into the one value typed meant nothing here
    assert len(state.notice) < 300
    assert state.observations.tolist() == list(EXAMPLE_OBSERVATIONS)


def ring(explorer) -> tuple[list[float], list[float]]:
    data = explorer.plot._chosen.data
    return list(data["x"]), list(data["y"])


def test_while_the_card_is_open_the_plot_rings_the_observation_it_shows_and_follows_edits():
    # Picked by its number, the point was one of many alike on the plot: nothing said which one it was.
    from mle_explorer.explorer import MLEExplorer

    explorer = MLEExplorer()
    card = explorer._move_card
    assert ring(explorer) == ([], [])
    card.collapsed = False
    editor = explorer.observation_editor
    assert ring(explorer) == ([2.3], [0.0])
    editor.number.value = 3
    assert ring(explorer) == ([2.5], [0.0])
    typed(editor, "3.1")
    assert ring(explorer) == ([3.1], [0.0])
    explorer.state.undo()
    assert ring(explorer) == ([2.5], [0.0])
    editor.remove_button.clicks += 1
    assert ring(explorer) == ([2.8], [0.0])  # number 3 is now the one after it
    card.collapsed = True
    assert ring(explorer) == ([], [])
    card.collapsed = False
    assert ring(explorer) == ([2.8], [0.0])
    explorer.state.clear()
    assert ring(explorer) == ([], [])


def test_the_ring_sits_on_the_stacked_dot_of_a_count_and_on_the_axis_under_a_histogram():
    from mle_explorer.explorer import MLEExplorer

    explorer = MLEExplorer()
    explorer.state.switch_family("poisson", clear=True)
    explorer.state.add_observations([2, 2, 2])
    explorer._move_card.collapsed = False
    explorer.observation_editor.number.value = 3
    heights = list(explorer.plot._observations.data["y"])
    assert heights[2] > heights[0]  # the third 2 is drawn above the other two
    assert ring(explorer) == ([2.0], [heights[2]])
    explorer.state.add_observations(list(range(explorer.plot.points_limit)))  # past it: a histogram
    assert not explorer.plot.shows_points
    assert ring(explorer) == ([2.0], [0.0])


def test_a_move_from_the_card_reaches_the_server_s_copy_of_the_points_too():
    # Bokeh skipped the patch of the x column (the state's read-only array) with only a warning: the browser
    # moved the point, the server's copy did not, and a click where the point now was added another.
    from mle_explorer.explorer import MLEExplorer

    explorer = MLEExplorer()
    editor = ObservationEditor(state=explorer.state)
    editor.number.value = 2
    typed(editor, "4.5")
    assert list(explorer.plot._observations.data["x"]) == [2.3, 4.5, 2.5, 2.8, 1.7]
    assert explorer.plot._hits_observation(4.5, 0.0)
    assert not explorer.plot._hits_observation(1.9, 0.0)


@pytest.mark.parametrize(("theme", "color"), [("default", "#0b5cad"), ("dark", "#ffd24d")])
def test_the_ring_has_the_focus_ring_s_colour_of_the_page_s_theme(theme, color):
    # The light theme's blue ring was hard to see on the dark theme's plot.
    import panel as pn

    from mle_explorer.explorer import MLEExplorer

    with pn.config.set(theme=theme):
        plot = MLEExplorer().plot
    (ring,) = [r for r in plot.figure.renderers if r.data_source is plot._chosen]
    assert ring.glyph.line_color == color
