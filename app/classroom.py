"""What a teacher needs in front of a class: presentation mode, light and dark themes, keyboard access,
explanations beside the views and a guided tour for a first-time student.

Everything here is per session and changes the page in place:

* **Presentation mode** sets a few inherited CSS values on the column that holds the app (``font-size``
  and Bokeh's ``--bokeh-font-size`` cross the widgets' shadow roots; buttons and form fields, whose
  sizes are fixed, read ``--mle-control-font-size`` from the page's design stylesheet) and asks the
  plot for thick lines, big markers and large fonts (``LikelihoodPlot.set_presentation``).
* **Themes**: the page is a ``BootstrapTemplate`` (its assets ship with Panel, so an offline classroom
  gets them), built in the theme the link asks for (``?theme=dark``). The theme button switches in place:
  every CSS colour of the page follows its ``data-bs-theme`` attribute (``PageTheme`` sets it; the head
  holds both themes' variables, ``page_css``), and the Bokeh figures take the theme's Bokeh theme and
  glyph colours (``app.theme``). Nothing is re-rendered: the data, the sliders, open cards and the
  scroll position stay; the address keeps the theme for a reload or a shared link.
* **Keyboard**: every component gets a ``:focus-visible`` outline (``ClassroomDesign``), and a "skip to
  the controls" link, the first stop of the main area, moves the focus to the family selector.
* **Explanations** (``Explanations``) sit in a column beside the app, in collapsible cards; the card
  about the model follows the family.
* **Tour** (``GuidedTour``): a small card with Back / Next / Close (Escape closes it too) whose steps
  outline the part of the page they talk about.
"""

from __future__ import annotations

import functools

import panel as pn
import param
from panel.custom import JSComponent
from panel.theme import Bootstrap, Inherit
from panel.viewable import Viewable

from .assets import asset_text, stylesheet
from .presentation import presentation
from .pyodide_support import IN_PYODIDE
from .state import ExplorerState
from .theme import BOOTSTRAP_THEMES, HEADER_BACKGROUND, css_variables, palette_changes, recolour
from .theme import THEME_COLORS as THEME_COLORS
from .theme import requested_theme as requested_theme
from .upstream import SessionPage, release_js_callbacks_when_the_session_ends, theme_variables_by_mode
from .widgets import AccessibleBokehViews, Formulas, card_built_when_opened

#: The page's font size in presentation mode (the normal page uses 12 px text): 1.5 times, as much as the
#: app's fixed 400 px column of controls and readout takes.
PRESENTATION_FONT_SIZE = "18px"
#: Inherited CSS values set on the app's column in presentation mode.
PRESENTATION_STYLES = {
    "font-size": PRESENTATION_FONT_SIZE,
    "--bokeh-font-size": PRESENTATION_FONT_SIZE,
    "--mle-control-font-size": PRESENTATION_FONT_SIZE,
    "--mle-label-wrap": "normal",  # a widget's label wraps rather than runs out of its column
}
#: The page's viewport: the device's width, unzoomed (a phone showed the desktop layout at 0.4 zoom without it).
VIEWPORT = "width=device-width, initial-scale=1"
#: How the tour marks the component a step talks about.
HIGHLIGHT_STYLES = {"outline": "4px solid var(--mle-tour-color)", "outline-offset": "3px"}
#: Width of the explanations column beside the app.
SIDE_WIDTH = 330
#: In presentation mode the explanations column takes a line of its own, below the app.
SIDE_BELOW_STYLES = {"width": "100%", "flex": "1 0 100%"}
#: The tour's card floats over the page (tour.js puts it beside what a step talks about, scrolled into view).
TOUR_WIDTH = 380
TOUR_STYLES = {"position": "fixed", "right": "16px", "bottom": "16px", "z-index": "1050"}
#: The CSS class of the components a tour step's card is placed beside (``GuidedTour``, tour.js).
TOUR_ANCHOR_CLASS = "mle-tour-anchor"

# --- styles ---------------------------------------------------------------------------------------------
#: Added to every component's shadow root by ``ClassroomDesign``: the focus ring, and the sizes presentation mode
#: can raise (see the file).
COMPONENT_CSS = stylesheet("components.css")
#: The header's buttons: a phone shows no presentation mode (see the file).
HEADER_CSS = stylesheet("header.css")
#: The skip link is out of sight until it has the keyboard focus.
SKIP_LINK_CSS = stylesheet("skip_link.css")


class ClassroomDesign(Bootstrap):
    """Panel's Bootstrap design plus ``COMPONENT_CSS`` in every component, including ones created later."""

    modifiers = {Viewable: {"stylesheets": [Inherit, COMPONENT_CSS]}}  # noqa: RUF012 (Panel's own convention)


def page_css(theme: str) -> str:
    """CSS for the head of a page in ``theme``: the colours of every theme as variables, which every shadow root
    inherits, each theme's applying where the page's ``data-bs-theme`` says (the app's own, ``app.theme``, and Panel's,
    which Panel sets for the page's theme alone), and ``page.css``."""
    return f"{css_variables()}\n{theme_variables_by_mode(ClassroomDesign, BOOTSTRAP_THEMES)}\n{stylesheet('page.css')}"


@functools.cache
def bokeh_theme(theme: str):
    """The Bokeh theme (axes, grid, backgrounds) Panel's design gives the figures of a page in ``theme``; None for
    Bokeh's own."""
    return ClassroomDesign(theme=theme).theme.bokeh_theme


class PageTheme(JSComponent):
    """The page's colour mode, Bootstrap's ``data-bs-theme`` attribute of ``<html>``, set in the browser: every CSS
    colour of the page follows it (``page_css``). Renders nothing visible; one per page."""

    mode = param.Selector(default="light", objects=sorted(set(BOOTSTRAP_THEMES.values())), doc="The colour mode.")

    _esm = asset_text("page_theme.js")


# --- explanations ---------------------------------------------------------------------------------------
PLOT_TEXT = """
Each **red dot** on the x axis is one observation xᵢ. The **blue curve** is the model's density
f(x | θ) for the current slider values; the **red segment** above a dot reaches the curve, so its
height is f(xᵢ | θ), that observation's share of the likelihood. Once you press Optimize (or
*Show the best fit*), the dashed grey curve is the best fit and, when the data were simulated, the green one
the truth they came from. For counts, blue bars show P(X = k | θ) and the dots stack to each value's
observed proportion. Click an entry of the legend to hide or show its curve.
"""
LOG_LIKELIHOOD_TEXT = """
The likelihood L(θ) multiplies the densities of all observations: how probable the data are if the
parameters were θ. Its logarithm ℓ adds them instead. Sums are easier to read and to differentiate, and
they do not underflow: 400 densities of 0.1 multiply to 10⁻⁴⁰⁰, which a computer rounds to 0, while
ℓ = −921 is an ordinary number. Because ln only ever increases, the θ that maximizes ℓ also
maximizes L. ℓ is often negative; compare values of ℓ on the same data, not across data sets.
"""
LIKELIHOOD_FORMULA = (
    r"$L(\theta)=\prod_{i=1}^{n} f(x_i\mid\theta)\qquad"
    r"\ell(\theta)=\ln L(\theta)=\sum_{i=1}^{n}\ln f(x_i\mid\theta)$"
)
OPTIMIZE_TEXT = """
**Optimize** finds the maximum likelihood estimate θ̂, the slider values with the largest ℓ, and moves
the sliders there, and shows the best fit, θ̂ and ℓ̂, hidden until then so that you can try first. For
most families θ̂ has a formula (shown under the readout; the mean of the data for μ, for example); the
Weibull needs a numerical search. Afterwards ℓ̂ − ℓ in the readout is ≈ 0: any slider you move lowers ℓ.
θ̂ is the best fit *of this family* to *these* data, not the truth.
"""
OPTIMIZE_FORMULA = r"$\hat\theta=\arg\max_{\theta}\ \ell(\theta)$"


class Explanations(pn.viewable.Viewer):
    """Short explanations of the plot, the model, ℓ and Optimize, in collapsible cards.

    The model's card follows ``state.family`` (its title, text and formula change in place).
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")

    def __init__(self, **params):
        super().__init__(**params)
        card = {"sizing_mode": "stretch_width", "margin": (5, 5)}
        shown = presentation(self.state.family)
        self.family_markdown = pn.pane.Markdown(shown.explanation(), sizing_mode="stretch_width")
        self.family_formula = Formulas(shown.density_formula)
        self.family_card = pn.Card(
            self.family_markdown, self.family_formula, title=self._family_title(), collapsed=False, **card
        )
        self.plot_card = pn.Card(
            pn.pane.Markdown(PLOT_TEXT, sizing_mode="stretch_width"), title="What the plot shows", **card
        )
        # Collapsed, and built when first opened (``card_built_when_opened``): a lighter page for every student.
        self.log_likelihood_card = card_built_when_opened(
            lambda: [
                pn.pane.Markdown(LOG_LIKELIHOOD_TEXT, sizing_mode="stretch_width"),
                Formulas(LIKELIHOOD_FORMULA),  # two: side by side they were wider than this column
            ],
            title="ℓ, the log-likelihood: why logs?",
            **card,
        )
        self.optimize_card = card_built_when_opened(
            lambda: [
                pn.pane.Markdown(OPTIMIZE_TEXT, sizing_mode="stretch_width"),
                pn.pane.LaTeX(OPTIMIZE_FORMULA, renderer="katex"),
            ],
            title="θ̂, the maximum likelihood estimate",
            **card,
        )
        self.cards = [self.plot_card, self.family_card, self.log_likelihood_card, self.optimize_card]
        self._layout = pn.Column(*self.cards, sizing_mode="stretch_width")
        self.state.param.watch(self._on_family, ["family"])

    def __panel__(self):
        return self._layout

    def _family_title(self) -> str:
        return f"The model: {self.state.family_spec.label}"

    def _on_family(self, *_):
        self.family_card.title = self._family_title()
        shown = presentation(self.state.family)
        self.family_markdown.object = shown.explanation()
        self.family_formula.object = shown.density_formula


# --- the guided tour ------------------------------------------------------------------------------------
#: (title, text, target): the target names what the step outlines (see ``Classroom._tour_targets``).
TOUR_STEPS = (
    (
        "The plot: your data",
        "Each red dot is an observation. Click anywhere on the plot to add one, drag a dot to move it, "
        "or type numbers in the box on the right. The blue curve (bars, for counts) is the model.",
        "plot",
    ),
    (
        "The sliders: the model's parameters",
        "Move a slider (or focus it and press the arrow keys): the curve changes shape. A good fit is high "
        "where the dots are.",
        "sliders",
    ),
    (
        "The readout: ℓ",
        "ℓ adds up ln f(xᵢ) over all observations. Higher is better: try to make ℓ as large as you can. "
        "ℓ̂ − ℓ says how far below the best possible you are (cold, warm, hot, at the top), not where it is.",
        "readout",
    ),
    (
        "Optimize",
        "Optimize moves the sliders to the maximum likelihood estimate, the values with the largest ℓ, and "
        "shows the best fit, θ̂ and ℓ̂, hidden until then. Then ℓ̂ − ℓ reads ≈ 0.",
        "optimize",
    ),
    (
        "Families and scenarios",
        "Choose another model (coin flips, counts, waiting times, lifetimes) or a scenario: a real question "
        "with its data, loaded in one click.",
        "families",
    ),
    (
        "Undo and start again",
        "Undo takes back the last change to the data, Example data brings back the five example points, "
        "and Clear all starts empty. The cards beside the app (below it in presentation mode) explain each part.",
        "undo",
    ),
)


class GuidedTour(JSComponent):
    """A small card that walks a first-time student through the page, one step at a time.

    Back / Next / Close are buttons (keyboard operable); Escape anywhere closes the tour. When the
    tour opens, the keyboard focus moves to Next, and back to where it was when it closes. The
    Python side (``start``, ``next_step``, ``previous_step``, ``close``) and the browser change the
    same two parameters, ``step`` and ``active``.

    The card sits beside what the step talks about: the components with the CSS class ``anchor_class``, which the
    page marks and then announces in ``placed_step``. The browser scrolls them into view with room for the card,
    and places the card to their right or left where the window has room, else below or above them (tour.js); it
    follows them as the page scrolls. With nothing marked, the card floats at the window's bottom right.
    """

    steps = param.List(default=[], doc="The steps, each a dict with 'title' and 'text'.")
    step = param.Integer(default=0, bounds=(0, None), doc="The step shown (from 0).")
    active = param.Boolean(default=False, doc="Whether the tour is open.")
    placed_step = param.Integer(
        default=-1, doc="The step whose components the page has marked with anchor_class (-1: none)."
    )
    anchor_class = param.String(default=TOUR_ANCHOR_CLASS, constant=True, doc="See TOUR_ANCHOR_CLASS.")

    _esm = asset_text("tour.js")
    _stylesheets = [stylesheet("tour.css")]  # noqa: RUF012 (Panel's own convention)

    def start(self) -> None:
        """Open the tour at its first step."""
        self.param.update(step=0, active=True)

    def next_step(self) -> None:
        """Show the next step; after the last one, close the tour."""
        if self.step < len(self.steps) - 1:
            self.step += 1
        else:
            self.active = False

    def previous_step(self) -> None:
        """Show the step before (the first stays)."""
        self.step = max(self.step - 1, 0)

    def close(self) -> None:
        """Close the tour."""
        self.active = False


# --- the whole classroom layer ---------------------------------------------------------------------------
class Classroom(pn.viewable.Viewer):
    """The explorer with its classroom aids: explanations beside it, a tour, presentation mode and a theme.

    ``page()`` puts it in a ``BootstrapTemplate`` with the header buttons (tour, presentation mode, theme).
    No button of ours (card headers included) has "Optimize" in its name: students and tests find that
    button by its name.
    """

    explorer = param.Parameter(doc="The session's MLEExplorer: its state and its component views.")
    presentation = param.Boolean(
        default=False, label="Presentation mode", doc="Large fonts, thick lines and big markers for a projector."
    )
    theme = param.Selector(
        default="default", objects=list(BOOTSTRAP_THEMES), doc="The page's theme; a change recolours the page in place."
    )

    def __init__(self, **params):
        super().__init__(**params)
        explorer = self.explorer
        self.explanations = Explanations(state=explorer.state)
        self.tour = GuidedTour(
            steps=[{"title": title, "text": text} for title, text, _ in TOUR_STEPS],
            width=TOUR_WIDTH,
            styles=dict(TOUR_STYLES),
        )
        self.tour_button = pn.widgets.Button(label="Take the tour", css_classes=["mle-header-button"])
        self.presentation_toggle = pn.widgets.Toggle.from_param(
            self.param.presentation, css_classes=["mle-header-button", "mle-presentation-toggle"]
        )
        dark = self.theme == "dark"
        self.theme_button = pn.widgets.Button(
            label="Light theme" if dark else "Dark theme", css_classes=["mle-header-button"]
        )
        self.skip_link = pn.widgets.Button(
            label="Skip to the controls",
            stylesheets=[SKIP_LINK_CSS],
            margin=(2, 5),
        )
        self.tour_button.on_click(lambda _: self.tour.start())
        self.theme_button.on_click(self._on_theme)
        self.page_theme = PageTheme(mode=BOOTSTRAP_THEMES[self.theme], width=0, height=0, margin=0)
        self.param.watch(self._apply_theme, ["theme"])
        self.skip_link.js_on_click(args={"target": explorer.controls.family_select}, code=_FOCUS_JS)
        self._release_links_with_the_session()
        self._highlighted: list[tuple[object, dict]] = []
        self.tour.param.watch(self._on_tour, ["step", "active"])
        self.param.watch(self._on_presentation, ["presentation"])
        if IN_PYODIDE:  # a static page is built in the default theme: a link's ?theme=dark is applied once loaded
            pn.state.onload(self._theme_from_address)
        self.header = pn.Row(
            self.tour_button,
            self.presentation_toggle,
            self.theme_button,
            styles={"flex-wrap": "wrap", "min-width": "0"},  # a narrow window wraps the buttons, not cut them off
            stylesheets=[HEADER_CSS],
        )
        # The explanations sit beside the app; in presentation mode below it, which leaves the plot the
        # width its larger fonts need. A wrapping row and a full-width column do that in CSS: nothing
        # is re-rendered (moving the cards between layouts took seconds to redraw).
        self._side = pn.Column(self.explanations, width=SIDE_WIDTH)
        # min-width 0: Bokeh gives a row the sum of its fixed-width children as its least width (730 px here),
        # which made narrow windows cut the page off instead of wrapping it.
        self._layout = pn.Column(
            self.skip_link,
            pn.Row(
                explorer.main_view,
                self._side,
                sizing_mode="stretch_width",
                styles={"flex-wrap": "wrap", "min-width": "0"},
            ),
            explorer.analysis_view,  # the comparison and the landscape, under both
            self.tour,
            AccessibleBokehViews(width=0, height=0, margin=0),
            self.page_theme,
            sizing_mode="stretch_width",
            styles={"min-width": "0"},
        )
        if self.presentation:  # asked for in the URL: once the page is served, with its theme applied
            pn.state.onload(lambda: self.param.trigger("presentation"))

    def __panel__(self):
        return self._layout

    def _release_links_with_the_session(self) -> None:
        """Let this session go when it ends: Panel's registry of JS callbacks would keep it (``app.upstream``)."""
        release_js_callbacks_when_the_session_ends(self.skip_link)

    # --- the theme ------------------------------------------------------------------------------------------
    def _on_theme(self, _event=None):
        """Switch to the other theme (in place: ``_apply_theme``)."""
        self.theme = "default" if self.theme == "dark" else "dark"

    def _apply_theme(self, event):
        """Recolour the page in the theme it switched to, in place.

        The page's colour mode (every CSS colour follows it), the Bokeh figures' theme (axes, grid, background) and the
        glyph colours the two palettes draw differently (``theme.palette_changes``); Panel's per-session
        ``config.theme``, which views built later read (``theme.requested_theme``); and the address, so that a reload
        or a shared link opens in this theme. Nothing is re-rendered: the data, the sliders, open cards and the
        scroll position stay as they were.
        """
        with pn.io.hold():
            self.page_theme.mode = BOOTSTRAP_THEMES[self.theme]
            self.theme_button.label = "Light theme" if self.theme == "dark" else "Dark theme"
            if pn.state.curdoc is not None:
                pn.config.theme = self.theme  # Panel keeps it per session (its config of the current document)
            document = self.explorer.plot.figure.document  # the page's, once it is rendered
            if document is not None:
                document.theme = bokeh_theme(self.theme)  # None: Bokeh's own
                recolour(list(document.models), palette_changes(event.old, event.new))
            self._write_theme_to_address()

    def _write_theme_to_address(self) -> None:
        """Put ``theme=dark`` in the page's address (or take ``theme`` out of it), leaving the rest as it is."""
        location = pn.state.location
        if location is None:
            return
        pairs = [pair for pair in location.search.lstrip("?").split("&") if pair and not pair.startswith("theme=")]
        if self.theme == "dark":
            pairs.append("theme=dark")
        location.search = "?" + "&".join(pairs) if pairs else ""

    def _theme_from_address(self) -> None:
        """Switch to the theme the page's address asks for (``?theme=dark``), if it is not the page's."""
        location = pn.state.location
        if location is not None and "theme=dark" in location.search.lstrip("?").split("&"):
            self.theme = "dark"

    def page(self, title: str, header_background: str = HEADER_BACKGROUND) -> pn.template.BootstrapTemplate:
        """The page: a Bootstrap template (assets shipped with Panel) in this classroom's theme."""
        template = SessionPage(
            title=title,
            # No busy spinner: Panel's busy flag is process-wide, and each toggle (every button click, every
            # frame of an animation) updated every open session's spinner: 70 % of the server's time with 40
            # students (measured with benchmarks/load_test.py --profile).
            busy_indicator=None,
            main=[self],
            header=[self.header],
            header_background=header_background,
            design=ClassroomDesign,
            theme=self.theme,
            # A phone lays the page out at its own width (without this, at 980 px shown at 0.4 zoom).
            meta_viewport=VIEWPORT,
        )
        template.config.raw_css.append(page_css(self.theme))
        return template

    # --- presentation mode --------------------------------------------------------------------------------
    def _on_presentation(self, *_):
        with pn.io.hold():
            # An empty value removes the property in the browser (an absent one would leave it set).
            self._layout.styles = (
                dict(PRESENTATION_STYLES) if self.presentation else dict.fromkeys(PRESENTATION_STYLES, "")
            )
            self._side.styles = dict(SIDE_BELOW_STYLES) if self.presentation else dict.fromkeys(SIDE_BELOW_STYLES, "")
            self.explorer.plot.set_presentation(self.presentation)

    # --- the tour's outlines ------------------------------------------------------------------------------
    def _tour_targets(self, name: str) -> tuple[list, list]:
        """The components a tour step outlines (found when the step is shown: the sliders change with the family), as
        (anchors, others): the card is placed beside the anchors; the scenario buttons are elsewhere on the page than
        the family selector."""
        explorer = self.explorer
        controls = explorer.controls
        groups = {
            "plot": ([explorer.plot.figure], []),
            "sliders": (list(controls.sliders.values()), []),
            "readout": ([getattr(explorer.readout, "_numbers", None)], []),
            "optimize": ([controls.optimize_button], []),
            "families": ([controls.family_select], list(getattr(explorer.scenarios, "buttons", {}).values())),
            "undo": ([controls.undo_button, controls.reset_button, controls.clear_button], []),
        }
        anchors, others = groups.get(name, ([], []))
        return self._styleable(anchors), self._styleable(others)

    @staticmethod
    def _styleable(components: list) -> list:
        return [component for component in components if component is not None and hasattr(component, "styles")]

    @property
    def highlighted(self) -> list:
        """The components the tour outlines now."""
        return [target for target, _ in self._highlighted]

    def _on_tour(self, *_):
        with pn.io.hold():
            for target, styles in self._highlighted:
                target.styles = {**dict.fromkeys(HIGHLIGHT_STYLES, ""), **styles}  # "": remove in the browser
                target.css_classes = [name for name in target.css_classes if name != TOUR_ANCHOR_CLASS]
            self._highlighted = []
            if not self.tour.active:
                self.tour.placed_step = -1
                return
            step = min(self.tour.step, len(TOUR_STEPS) - 1)
            anchors, others = self._tour_targets(TOUR_STEPS[step][2])
            for target in anchors + others:
                styles = dict(target.styles or {})
                self._highlighted.append((target, styles))
                target.styles = {**styles, **HIGHLIGHT_STYLES}
            for anchor in anchors:
                anchor.css_classes = [*anchor.css_classes, TOUR_ANCHOR_CLASS]
            # Last, so that the browser has the marks when it hears of the step (one message: pn.io.hold).
            self.tour.placed_step = step


#: JavaScript moving the keyboard focus into the view of ``target`` (a widget's Bokeh model).
_FOCUS_JS = asset_text("focus_target.js")


def requested_presentation() -> bool:
    """Whether the page was opened with ``?presentation=1`` (kept by the theme button's reload)."""
    values = pn.state.session_args.get("presentation", []) if isinstance(pn.state.session_args, dict) else []
    return bool(values) and values[0] in (b"1", b"true", b"on")
