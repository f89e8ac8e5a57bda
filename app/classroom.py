"""What a teacher needs in front of a class: presentation mode, light and dark themes, keyboard access,
explanations beside the views and a guided tour for a first-time student.

Everything here is per session and changes the page in place:

* **Presentation mode** sets a few inherited CSS values on the column that holds the app (``font-size``
  and Bokeh's ``--bokeh-font-size`` cross the widgets' shadow roots; buttons and form fields, whose
  sizes are fixed, read ``--mle-control-font-size`` from the page's design stylesheet) and asks the
  plot for thick lines, big markers and large fonts (``LikelihoodPlot.set_presentation``).
* **Themes**: the page is a ``BootstrapTemplate`` (its assets ship with Panel, so an offline classroom
  gets them); the theme button reloads the page with ``?theme=dark`` (or without it), which Panel
  reads, and with the current view written into the address as a share link. Colours our own HTML
  uses come from CSS variables set for the theme in the page's head (``app.theme``).
* **Keyboard**: every component gets a ``:focus-visible`` outline (``ClassroomDesign``), and a "skip to
  the controls" link, the first stop of the main area, moves the focus to the family selector.
* **Explanations** (``Explanations``) sit in a column beside the app, in collapsible cards; the card
  about the model follows the family.
* **Tour** (``GuidedTour``): a small card with Back / Next / Close (Escape closes it too) whose steps
  outline the part of the page they talk about.
"""

from __future__ import annotations

import urllib.parse

import panel as pn
import param
from panel.custom import JSComponent
from panel.theme import Bootstrap, Inherit
from panel.viewable import Viewable

from .assets import asset_text, stylesheet
from .presentation import presentation
from .pyodide_support import IN_PYODIDE
from .sharing import ANSWER_KEY, ANSWER_SHOWN, MAX_QUERY_CHARS, MAX_SHARED_POINTS, share_query
from .state import ExplorerState
from .theme import HEADER_BACKGROUND, css_variables
from .theme import THEME_COLORS as THEME_COLORS
from .theme import requested_theme as requested_theme
from .upstream import SessionPage, release_js_callbacks_when_the_session_ends
from .widgets import AccessibleBokehViews, card_built_when_opened

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
#: How the tour marks the component a step talks about.
HIGHLIGHT_STYLES = {"outline": "4px solid var(--mle-tour-color)", "outline-offset": "3px"}
#: Width of the explanations column beside the app.
SIDE_WIDTH = 330
#: In presentation mode the explanations column takes a line of its own, below the app.
SIDE_BELOW_STYLES = {"width": "100%", "flex": "1 0 100%"}
#: The tour's card floats over the page's bottom right corner, so it stays in view whatever it points at.
TOUR_WIDTH = 380
TOUR_STYLES = {"position": "fixed", "right": "16px", "bottom": "16px", "z-index": "1050"}

# --- styles ---------------------------------------------------------------------------------------------
#: Added to every component's shadow root by ``ClassroomDesign``: the focus ring, and the sizes presentation mode
#: can raise (see the file).
COMPONENT_CSS = stylesheet("components.css")
#: The skip link is out of sight until it has the keyboard focus.
SKIP_LINK_CSS = stylesheet("skip_link.css")


def page_css(theme: str) -> str:
    """CSS for the head of a page in ``theme``: the themes' colours as variables, which every shadow root inherits
    (every theme's, each applying where the page's ``data-bs-theme`` says), and ``page.css``."""
    return f"{css_variables()}\n{stylesheet('page.css')}"


class ClassroomDesign(Bootstrap):
    """Panel's Bootstrap design plus ``COMPONENT_CSS`` in every component, including ones created later."""

    modifiers = {Viewable: {"stylesheets": [Inherit, COMPONENT_CSS]}}  # noqa: RUF012 (Panel's own convention)


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
        self.family_formula = pn.pane.LaTeX(shown.density_formula, renderer="katex")
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
                pn.pane.LaTeX(LIKELIHOOD_FORMULA, renderer="katex"),
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
    """

    steps = param.List(default=[], doc="The steps, each a dict with 'title' and 'text'.")
    step = param.Integer(default=0, bounds=(0, None), doc="The step shown (from 0).")
    active = param.Boolean(default=False, doc="Whether the tour is open.")

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
    theme = param.Selector(default="default", objects=["default", "dark"], doc="The page's theme (set on load).")

    def __init__(self, **params):
        super().__init__(**params)
        explorer = self.explorer
        self.explanations = Explanations(state=explorer.state)
        self.tour = GuidedTour(
            steps=[{"title": title, "text": text} for title, text, _ in TOUR_STEPS],
            width=TOUR_WIDTH,
            styles=dict(TOUR_STYLES),
        )
        self.tour_button = pn.widgets.Button(label="Take the tour")
        self.presentation_toggle = pn.widgets.Toggle.from_param(self.param.presentation)
        dark = self.theme == "dark"
        self.theme_button = pn.widgets.Button(label="Light theme" if dark else "Dark theme")
        self.skip_link = pn.widgets.Button(
            label="Skip to the controls",
            stylesheets=[SKIP_LINK_CSS],
            margin=(2, 5),
        )
        self.tour_button.on_click(lambda _: self.tour.start())
        self.theme_button.on_click(self._on_theme)
        self._theme_warned_for = None  # the data a switch that would lose them was last refused for
        self.skip_link.js_on_click(args={"target": explorer.controls.family_select}, code=_FOCUS_JS)
        self._release_links_with_the_session()
        self._highlighted: list[tuple[object, dict]] = []
        self.tour.param.watch(self._on_tour, ["step", "active"])
        self.param.watch(self._on_presentation, ["presentation"])
        self.theme_button.visible = not IN_PYODIDE  # the static page cannot reload into another theme
        self.header = pn.Row(
            self.tour_button,
            self.presentation_toggle,
            self.theme_button,
            styles={"flex-wrap": "wrap", "min-width": "0"},  # a narrow window wraps the buttons, not cut them off
        )
        # The explanations sit beside the app; in presentation mode below it, which leaves the plot the
        # width its larger fonts need. A wrapping row and a full-width column do that in CSS: nothing
        # is re-rendered (moving the cards between layouts took seconds to redraw).
        self._side = pn.Column(self.explanations, width=SIDE_WIDTH)
        # min-width 0: Bokeh gives a row the sum of its fixed-width children as its least width (730 px here),
        # which made narrow windows cut the page off instead of wrapping it.
        self._layout = pn.Column(
            self.skip_link,
            pn.Row(explorer, self._side, sizing_mode="stretch_width", styles={"flex-wrap": "wrap", "min-width": "0"}),
            self.tour,
            AccessibleBokehViews(width=0, height=0, margin=0),
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
        """Reload the page in the other theme, carrying the current view (family, parameters, data) in its URL.

        Panel applies a theme when the page is built, so switching means a reload, and a reload starts a new
        session: the view travels as a share link (``app.sharing``), or the student would lose the data.
        Observations a link cannot carry are dropped only if the student insists: the first press says so.
        """
        state = self.explorer.state
        query = share_query(state)
        if state.n and "x" not in query and self._theme_warned_for is not state.observations:
            self._theme_warned_for = state.observations
            state.notice = (
                f"Switching the theme reloads the page, and the {state.n:,} observations do not fit in its "
                f"address (at most {MAX_SHARED_POINTS:,}, or {MAX_QUERY_CHARS:,} characters): download them as CSV "
                "(Share a link · upload · download) to keep them, then press the theme button again to switch "
                "without them."
            )
            return
        if self.theme != "dark":
            query["theme"] = "dark"
        if self.presentation:
            query["presentation"] = "1"
        if state.answer_kept:
            query[ANSWER_KEY] = ANSWER_SHOWN
        location = pn.state.location
        if location is None:
            return
        # The address first, then the reload: the browser applies the changes in this order, and its
        # ``reload`` handler reloads at the address the page has by then.
        location.search = "?" + urllib.parse.urlencode(query, safe=",")
        location.reload = True

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
    def _tour_targets(self, name: str) -> list:
        """The components a tour step outlines (found when the step is shown: the sliders change with the family)."""
        explorer = self.explorer
        controls = explorer.controls
        targets = {
            "plot": [explorer.plot.figure],
            "sliders": list(controls.sliders.values()),
            "readout": [getattr(explorer.readout, "_numbers", None)],
            "optimize": [controls.optimize_button],
            "families": [controls.family_select, *getattr(explorer.scenarios, "buttons", {}).values()],
            "undo": [controls.undo_button, controls.reset_button, controls.clear_button],
        }
        return [target for target in targets.get(name, []) if target is not None and hasattr(target, "styles")]

    @property
    def highlighted(self) -> list:
        """The components the tour outlines now."""
        return [target for target, _ in self._highlighted]

    def _on_tour(self, *_):
        with pn.io.hold():
            for target, styles in self._highlighted:
                target.styles = {**dict.fromkeys(HIGHLIGHT_STYLES, ""), **styles}  # "": remove in the browser
            self._highlighted = []
            if self.tour.active:
                step = min(self.tour.step, len(TOUR_STEPS) - 1)
                for target in self._tour_targets(TOUR_STEPS[step][2]):
                    styles = dict(target.styles or {})
                    self._highlighted.append((target, styles))
                    target.styles = {**styles, **HIGHLIGHT_STYLES}


#: JavaScript moving the keyboard focus into the view of ``target`` (a widget's Bokeh model).
_FOCUS_JS = asset_text("focus_target.js")


def requested_presentation() -> bool:
    """Whether the page was opened with ``?presentation=1`` (kept by the theme button's reload)."""
    values = pn.state.session_args.get("presentation", []) if isinstance(pn.state.session_args, dict) else []
    return bool(values) and values[0] in (b"1", b"true", b"on")
