"""Every colour the app chooses, per theme, in one place.

* ``THEME_COLORS``: the CSS custom properties our own CSS and HTML read (hints, muted text, table rules, the focus
  ring, the tour's outline). ``css_variables()`` writes them for the page's head, where every shadow root
  inherits them; the stylesheets beside the views (``*.css``) only ever say ``var(--mle-…)``, or Bootstrap's own
  per-theme ``var(--bs-…)``.
* ``palette(theme)``: the colours of the Bokeh glyphs of the plots, which CSS does not reach.

The two themes are Panel's ``default`` and ``dark`` (``?theme=dark``); ``requested_theme()`` says which one the
page was asked for.
"""

from __future__ import annotations

import dataclasses

import panel as pn
from bokeh.palettes import Viridis256

#: The themes the app offers, as Panel names them.
THEMES = ("default", "dark")

#: The page header's background (the template's ``header_background``), in both themes.
HEADER_BACKGROUND = "#1f5f99"

#: Per theme, the CSS custom properties our own CSS and HTML read.
THEME_COLORS = {
    "default": {
        "--mle-hint-color": "#8a4b00",  # hints and refusals beside a control
        "--mle-muted-color": "#666666",  # text that matters less (a family that does not apply)
        "--mle-rule-color": "#999999",  # the line under a table's header
        "--mle-focus-color": "#0b5cad",  # the keyboard's focus ring
        "--mle-header-focus-color": "#ffd24d",  # the focus ring on the blue header
        "--mle-tour-color": "#e8a400",  # the tour's card and the outline of what a step talks about
        "--mle-on-primary-color": "#ffffff",  # text on Bootstrap's primary colour (the tour's Next)
    },
    "dark": {
        "--mle-hint-color": "#ffb86b",
        "--mle-muted-color": "#b8b8b8",
        "--mle-rule-color": "#999999",
        "--mle-focus-color": "#ffd24d",
        "--mle-header-focus-color": "#ffd24d",
        "--mle-tour-color": "#ffb000",
        "--mle-on-primary-color": "#ffffff",
    },
}


#: The ``data-bs-theme`` value of each theme: Bootstrap's own variables follow that attribute of the page's ``<html>``,
#: which Panel's Bootstrap template sets to the page's theme.
BOOTSTRAP_THEMES = {"default": "light", "dark": "dark"}


def css_variables() -> str:
    """``THEME_COLORS`` as CSS rules, each theme's under its ``data-bs-theme`` (the default's on ``:root`` too), e.g.
    ``:root, [data-bs-theme="light"] { --mle-hint-color: #8a4b00; … }``: like Bootstrap's own, they follow the
    attribute, so a page that switches theme in place only has to change it."""
    rules = []
    for theme, colors in THEME_COLORS.items():
        selector = f'[data-bs-theme="{BOOTSTRAP_THEMES[theme]}"]'
        selector = f":root, {selector}" if theme == "default" else selector
        rules.append(f"{selector} {{ {''.join(f'{name}: {value}; ' for name, value in colors.items())}}}")
    return "\n".join(rules)


@dataclasses.dataclass(frozen=True)
class PlotPalette:
    """The colours of the plots' glyphs in one theme (Bokeh draws them on a canvas, out of CSS's reach)."""

    observation: str  # the data: points, their segments up to the curve, the histogram of many points
    model: str  # the model's density f(x | θ) at the sliders, or its probability bars
    best_fit_line: str  # the density at the maximum likelihood estimate
    best_fit_bars: str  # its probability bars (counts)
    truth: str  # what a drawn sample came from
    selected: str  # a point picked with the mouse…
    selected_outline: str
    chosen_ring: str  # …and the ring round the point the keyboard chose: the focus ring's colour
    marker_outline: str  # the edge that sets a marker off from what it covers
    likelihood: str  # ℓ along a slice, and the exact log-likelihood of the underflow view
    tangent: str  # the slope at the current point of a slice
    climb: str  # the climb's path; also the float64 product and each point's ln f(xᵢ) (the "computed" things)
    quadratic: str  # Newton's quadratic approximation
    wald: str  # the Wald parabola and interval
    profile: str  # the profile curve, its cut at ℓ̂ − 1.92 and its interval
    current_point: str  # the dot at the sliders on a slice
    estimate: str  # the star at θ̂ on the surface
    estimate_outline: str
    contour: str  # the surface's confidence contours, and the ring at the sliders on it
    limit_line: str  # the smallest float64, on the underflow view
    estimates_mean: str  # the average of the repeated experiment's estimates
    surface: tuple[str, ...]  # the colour map of ℓ − ℓ̂ over two parameters


_LIGHT = PlotPalette(
    observation="#d62728",
    model="#1f77b4",
    best_fit_line="#999999",
    best_fit_bars="#777777",
    truth="#2ca02c",
    selected="#ff7f0e",
    selected_outline="black",
    chosen_ring=THEME_COLORS["default"]["--mle-focus-color"],
    marker_outline="white",
    likelihood="#1f77b4",
    tangent="#2ca02c",
    climb="#d62728",
    quadratic="#9467bd",
    wald="#1f77b4",
    profile="#ff7f0e",
    current_point="#111111",
    estimate="#ffffff",
    estimate_outline="#111111",
    contour="white",
    limit_line="#777777",
    estimates_mean="#d62728",
    surface=tuple(Viridis256),
)

#: Per theme. The dark theme keeps the light one's glyph colours (they read on its dark grey plot), all but the
#: keyboard's ring, which takes that theme's focus colour (the blue was hard to see there).
_PALETTES = {
    "default": _LIGHT,
    "dark": dataclasses.replace(_LIGHT, chosen_ring=THEME_COLORS["dark"]["--mle-focus-color"]),
}


def palette(theme: str) -> PlotPalette:
    """The plots' glyph colours in ``theme`` ("default" or "dark")."""
    return _PALETTES[theme]


def requested_theme() -> str:
    """The theme this page was asked for (``?theme=dark``), as Panel reads it; "default" otherwise."""
    return "dark" if pn.config.theme == "dark" else "default"
