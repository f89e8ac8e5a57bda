"""The classroom layer with no browser: presentation mode, the tour, the explanations, the themed page."""

from __future__ import annotations

import re

import numpy as np
import panel as pn
import pytest
from bokeh.document import Document
from panel.io.location import Location
from panel.io.state import set_curdoc
from panel.theme.base import BOKEH_DARK
from panel.theme.bootstrap import BootstrapDefaultTheme

import mle_core
from mle_explorer.classroom import (
    HIGHLIGHT_STYLES,
    PRESENTATION_STYLES,
    SIDE_BELOW_STYLES,
    THEME_COLORS,
    TOUR_ANCHOR_CLASS,
    TOUR_STEPS,
    Classroom,
    ClassroomDesign,
    bokeh_theme,
    page_css,
)
from mle_explorer.explorer import MLEExplorer, create_app
from mle_explorer.presentation import PRESENTATIONS, presentation
from mle_explorer.theme import palette, requested_theme


@pytest.fixture
def classroom():
    return Classroom(explorer=MLEExplorer())


def px(size: str) -> float:
    assert size.endswith("px"), size
    return float(size[:-2])


def figure_look(plot) -> dict:
    fig = plot.figure
    return {
        "axis label": fig.xaxis[0].axis_label_text_font_size,
        "ticks": fig.yaxis[0].major_label_text_font_size,
        "legend": fig.legend[0].label_text_font_size,
        "model line": plot._model_line.glyph.line_width,
        "segments": plot._segments.glyph.line_width,
        "marker": plot._points.glyph.size,
    }


# --- presentation mode ------------------------------------------------------------------------------------
def test_presentation_mode_enlarges_the_figure_and_toggling_back_restores_it(classroom):
    plot = classroom.explorer.plot
    normal = figure_look(plot)
    classroom.presentation = True
    big = figure_look(plot)
    for name in ("axis label", "ticks", "legend"):  # the hint above the plot is HTML: tests/browser checks its font
        assert px(big[name]) >= px(normal[name]) + 4, f"{name}: {normal[name]} → {big[name]}"
    for name in ("model line", "segments", "marker"):
        assert big[name] >= 1.5 * normal[name], f"{name}: {normal[name]} → {big[name]}"
    classroom.presentation = False
    assert figure_look(plot) == normal
    classroom.presentation = True  # again: the same look, not scaled twice
    assert figure_look(plot) == big


def test_presentation_mode_sets_the_inherited_font_sizes_and_an_empty_value_removes_them(classroom):
    classroom.presentation = True
    assert classroom._layout.styles == PRESENTATION_STYLES
    assert px(PRESENTATION_STYLES["font-size"]) >= 1.4 * 12  # the normal page's text is 12 px
    classroom.presentation = False
    assert classroom._layout.styles == dict.fromkeys(PRESENTATION_STYLES, "")


def test_presentation_mode_puts_the_explanations_below_the_app_and_back(classroom):
    row = classroom._layout.objects[1]
    assert row.styles["flex-wrap"] == "wrap"
    assert classroom.explanations.__panel__() in classroom._side.objects
    classroom.presentation = True
    assert classroom._side.styles == SIDE_BELOW_STYLES
    classroom.presentation = False
    assert classroom._side.styles == dict.fromkeys(SIDE_BELOW_STYLES, "")


def test_the_header_toggle_drives_presentation_mode(classroom):
    classroom.presentation_toggle.value = True
    assert classroom.presentation
    assert px(classroom.explorer.plot.figure.legend[0].label_text_font_size) > 13


# --- the tour ---------------------------------------------------------------------------------------------
def test_the_tour_opens_advances_goes_back_and_closes(classroom):
    tour = classroom.tour
    assert not tour.active
    assert 5 <= len(tour.steps) <= 7
    classroom.tour_button.clicks += 1
    assert (tour.active, tour.step) == (True, 0)
    tour.previous_step()
    assert tour.step == 0, "Back on the first step stays there"
    tour.next_step()
    tour.next_step()
    assert tour.step == 2
    tour.previous_step()
    assert tour.step == 1
    tour.close()
    assert not tour.active


def test_next_on_the_last_step_finishes_the_tour(classroom):
    tour = classroom.tour
    tour.start()
    for _ in range(len(tour.steps) - 1):
        tour.next_step()
    assert (tour.active, tour.step) == (True, len(tour.steps) - 1)
    tour.next_step()
    assert not tour.active
    tour.start()
    assert (tour.active, tour.step) == (True, 0), "a new tour starts at the beginning"


def test_each_tour_step_outlines_its_component_and_restores_it(classroom):
    explorer, tour = classroom.explorer, classroom.tour
    controls = explorer.controls
    expected = {
        "plot": explorer.plot.figure,
        "sliders": controls.sliders["mu"],
        "readout": explorer.readout._numbers,
        "optimize": controls.optimize_button,
        "families": controls.family_select,
        "undo": controls.undo_button,
    }
    assert [target for _, _, target in TOUR_STEPS] == list(expected)
    before = {name: dict(component.styles or {}) for name, component in expected.items()}
    tour.start()
    for index, name in enumerate(expected):
        assert tour.step == index
        assert expected[name] in classroom.highlighted, f"step {index} should outline the {name}"
        assert HIGHLIGHT_STYLES.items() <= dict(expected[name].styles).items()
        others = [component for other, component in expected.items() if other != name]
        assert not any(component in classroom.highlighted for component in others)
        tour.next_step()
    assert not tour.active
    assert classroom.highlighted == []
    for name, component in expected.items():
        styles = dict(component.styles or {})
        assert {key: value for key, value in styles.items() if value != ""} == before[name], name


def test_each_tour_step_marks_what_its_card_is_placed_beside_and_then_announces_it(classroom):
    explorer, tour = classroom.explorer, classroom.tour
    controls = explorer.controls
    outlined = [
        explorer.plot.figure,
        *controls.sliders.values(),
        explorer.readout._numbers,
        controls.optimize_button,
        controls.family_select,
        *explorer.scenarios.buttons.values(),
        controls.undo_button,
        controls.reset_button,
        controls.clear_button,
    ]

    def marked():
        return [component for component in outlined if TOUR_ANCHOR_CLASS in component.css_classes]

    assert (tour.placed_step, marked()) == (-1, [])
    tour.start()
    assert (tour.placed_step, marked()) == (0, [explorer.plot.figure])
    for _ in range(4):
        tour.next_step()
    assert TOUR_STEPS[tour.step][2] == "families"
    assert tour.placed_step == tour.step
    # Outlined, but the card goes beside the selector: the scenario buttons are elsewhere on the page.
    assert marked() == [controls.family_select]
    assert set(classroom.highlighted) > {controls.family_select}
    tour.close()
    assert (tour.placed_step, marked()) == (-1, [])


def test_the_tour_outlines_the_sliders_of_the_current_family(classroom):
    state = classroom.explorer.state
    state.clear()
    assert state.switch_family("poisson")
    classroom.tour.start()
    classroom.tour.next_step()
    assert classroom.highlighted == [classroom.explorer.controls.sliders["rate"]]


# --- explanations -----------------------------------------------------------------------------------------
def test_every_family_has_an_explanation_naming_its_parameters_and_a_formula():
    for name, family in mle_core.FAMILIES.items():
        text = presentation(name).explanation()
        assert text.startswith("An observation is"), name
        for parameter in (*family.parameters, *family.constants):
            assert f"- **{parameter.symbol}**" in text, (name, parameter.name)
            assert parameter.description in text, (name, parameter.name)
        assert re.fullmatch(r"\$.+\$", presentation(name).density_formula), name
    assert set(PRESENTATIONS) == set(mle_core.FAMILIES)


def test_the_model_card_follows_family_switches(classroom):
    explanations, state = classroom.explanations, classroom.explorer.state
    assert "Gaussian" in explanations.family_card.title
    assert "σ" in explanations.family_markdown.object
    state.clear()
    assert state.switch_family("exponential")
    assert explanations.family_card.title == "The model: " + mle_core.get_family("exponential").label
    assert "waiting time" in explanations.family_markdown.object
    assert r"\lambda e^{-\lambda x}" in explanations.family_formula.object
    state.undo()  # back to the Gaussian and its data
    assert "Gaussian" in explanations.family_card.title
    assert "bell curve" in explanations.family_markdown.object


def test_the_explanations_render_their_formulas_with_katex(classroom):
    for card in classroom.explanations.cards:
        card.collapsed = False  # a collapsed card's contents are built when it is first opened
    latex = [pane for card in classroom.explanations.cards for pane in card.select(pn.pane.LaTeX)]
    # The density, L and ℓ (two formulas, one under the other where the column is narrow: Formulas), and θ̂.
    assert len(latex) == 4
    assert all(pane.renderer == "katex" for pane in latex)


# --- the page ---------------------------------------------------------------------------------------------
def test_the_page_builds_with_the_header_buttons_and_the_classroom_design():
    explorer = MLEExplorer()
    page = create_app(explorer)
    assert isinstance(page, pn.template.BootstrapTemplate)
    assert page.design is ClassroomDesign
    header = [widget.name for widget in page.header[0].objects]
    assert header == ["Take the tour", "Presentation mode", "Dark theme"]
    assert page_css("default") in page.config.raw_css
    assert explorer.classroom.theme == "default"


def test_the_page_enters_its_document_with_one_walk_over_its_models(monkeypatch):
    # Bokeh walks every model of the page each time a root is added unless the document's models are frozen.
    from bokeh.document import Document
    from bokeh.document.models import DocumentModelManager

    walks = []
    recompute = DocumentModelManager.recompute
    monkeypatch.setattr(DocumentModelManager, "recompute", lambda self: walks.append(1) or recompute(self))
    explorer = MLEExplorer()
    page = create_app(explorer)
    document = Document()
    page.server_doc(document)
    assert len(walks) == 1
    reachable = set().union(*(root.references() for root in document.roots))
    assert set(document.models) == reachable, "every model of the page is in the document, and only those"
    assert explorer.plot.figure in reachable
    assert document.get_model_by_id(explorer.plot.figure.id) is explorer.plot.figure


def test_the_dark_page_offers_the_light_theme_and_sets_readable_colours():
    classroom = Classroom(explorer=MLEExplorer(), theme="dark")
    page = classroom.page(title="t", header_background="#1f5f99")
    assert page.theme._name == "dark"
    assert classroom.theme_button.name == "Light theme"
    assert "--mle-hint-color: #ffb86b" in page.config.raw_css[-1]


def test_theme_colours_differ_where_they_must_and_define_the_same_variables():
    assert THEME_COLORS["default"].keys() == THEME_COLORS["dark"].keys()
    assert THEME_COLORS["default"]["--mle-hint-color"] != THEME_COLORS["dark"]["--mle-hint-color"]
    for colors in THEME_COLORS.values():
        assert all(re.fullmatch(r"#[0-9a-f]{6}", value) for value in colors.values())


def test_every_component_gets_a_visible_focus_outline():
    stylesheets = ClassroomDesign._resolve_modifiers(pn.widgets.Button, BootstrapDefaultTheme)[0]["stylesheets"]
    assert any(":focus-visible" in sheet and "outline: 3px solid" in sheet for sheet in stylesheets)
    assert any("bootstrap.css" in sheet for sheet in stylesheets), "Bootstrap's own stylesheet is kept"


def test_a_page_opened_in_presentation_mode_starts_large():
    # ?presentation=1 (kept by the theme button's reload); with no server, onload callbacks run at once.
    classroom = Classroom(explorer=MLEExplorer(), presentation=True)
    assert classroom._layout.styles == PRESENTATION_STYLES
    assert px(classroom.explorer.plot.figure.legend[0].label_text_font_size) > 13


def test_no_button_of_ours_is_named_like_optimize(classroom):
    # Students (and tests) find "Optimize" by name; a card header or link containing it would be ambiguous.
    buttons = [classroom.tour_button, classroom.presentation_toggle, classroom.theme_button, classroom.skip_link]
    names = [button.name for button in buttons] + [card.title for card in classroom.explanations.cards]
    assert not [name for name in names if "optimize" in name.lower()]


def ring_colour(plot) -> str:
    """The colour of the ring the move card puts round an observation (the glyph the two themes colour apart)."""
    (ring,) = [renderer for renderer in plot.figure.renderers if renderer.data_source is plot._chosen]
    return ring.glyph.line_color


def test_the_theme_switches_in_place_keeping_the_view_and_the_address_keeps_the_theme(monkeypatch):
    # The switch used to reload the page: the view travelled in the address, a data set too large for a link was lost
    # (after a warning), and the reloaded page said "Opened the view from the link". Now nothing is re-rendered.
    location = Location(search="?family=gaussian&presentation=1")
    monkeypatch.setattr(pn.state, "_location", location)  # the page's URL, outside a server session
    explorer = MLEExplorer()
    document = Document()
    create_app(explorer).server_doc(document)
    classroom, state, plot = explorer.classroom, explorer.state, explorer.plot
    state.set_observations(np.arange(2_000.0))  # more than a link carries
    state.set_parameters(mu=3.0)
    before = (state.observations, dict(state.theta), state.notice)
    light_background = plot.figure.background_fill_color

    classroom.theme_button.clicks += 1
    assert (classroom.theme, classroom.page_theme.mode, classroom.theme_button.name) == ("dark", "dark", "Light theme")
    assert (state.observations, dict(state.theta), state.notice) == before  # the same array: nothing reloaded
    assert document.theme is bokeh_theme("dark")
    assert plot.figure.background_fill_color == BOKEH_DARK["attrs"]["Plot"]["background_fill_color"]
    assert ring_colour(plot) == palette("dark").chosen_ring
    assert (location.search, location.reload) == ("?family=gaussian&presentation=1&theme=dark", False)

    classroom.theme_button.clicks += 1
    assert (classroom.theme, classroom.page_theme.mode, classroom.theme_button.name) == (
        "default",
        "light",
        "Dark theme",
    )
    assert plot.figure.background_fill_color == light_background != BOKEH_DARK["attrs"]["Plot"]["background_fill_color"]
    assert ring_colour(plot) == palette("default").chosen_ring
    assert (location.search, location.reload) == ("?family=gaussian&presentation=1", False)


def test_a_view_built_after_a_switch_takes_the_session_s_theme():
    # The landscape's figures are built when their card is first opened: they read the session's theme then.
    explorer = MLEExplorer()
    document = Document()
    create_app(explorer).server_doc(document)
    with set_curdoc(document):
        explorer.classroom.theme_button.clicks += 1
        assert requested_theme() == "dark"
    assert pn.config.theme == "default", "the theme is the session's, not the process's"
