"""Every colour comes from the theme (``mle_explorer.theme``): no literal colour elsewhere, no variable unset."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from bokeh.core.properties import Color

import mle_explorer
from mle_explorer.theme import BOOTSTRAP_THEMES, THEME_COLORS, THEMES, css_variables, palette

APP = Path(mle_explorer.__file__).parent
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})\b")
#: A named or functional CSS colour ("white-space" is not one).
OTHER_COLOUR = re.compile(r"(?<![\w-])(?:white|black|red|blue|green|gr[ae]y|orange)(?![\w-])|\b(?:rgb|hsl)a?\(", re.I)


def string_values(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string in the module's code (docstrings, which may cite issue #1234, left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


@pytest.mark.parametrize("path", sorted(p for p in APP.glob("*.py") if p.name != "theme.py"), ids=lambda p: p.name)
def test_no_view_writes_a_colour_of_its_own(path):
    found = [(line, text[:60]) for line, text in string_values(path) if HEX_COLOUR.search(text)]
    found += [(line, text) for line, text in string_values(path) if text in ("white", "black")]
    assert not found, f"{path.name}: colours belong in app/theme.py (THEME_COLORS or palette): {found}"


@pytest.mark.parametrize("path", sorted([*APP.glob("*.css"), *APP.glob("*.js")]), ids=lambda p: p.name)
def test_our_css_and_javascript_take_their_colours_from_variables(path):
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)  # comments
    assert not HEX_COLOUR.findall(text), path.name
    assert not OTHER_COLOUR.findall(text), path.name


def variables_read() -> dict[str, set[str]]:
    """{variable: files} for every ``var(--mle-…)`` read with no fallback in our CSS, JavaScript and Python."""
    read: dict[str, set[str]] = {}
    for path in [*APP.glob("*.css"), *APP.glob("*.js"), *APP.glob("*.py")]:
        for name in re.findall(r"var\((--mle-[\w-]+)\)", path.read_text(encoding="utf-8")):
            read.setdefault(name, set()).add(path.name)
    return read


def test_every_variable_our_files_read_is_set_for_every_theme():
    read = variables_read()
    assert {"--mle-hint-color", "--mle-focus-color", "--mle-tour-color"} <= set(read)  # the scan finds them
    for theme in THEMES:
        missing = {name: files for name, files in read.items() if name not in THEME_COLORS[theme]}
        assert not missing, f"{theme}: read but not set (app/theme.py THEME_COLORS): {missing}"
    for theme, attribute in BOOTSTRAP_THEMES.items():
        (rule,) = [line for line in css_variables().splitlines() if f'[data-bs-theme="{attribute}"]' in line]
        assert all(f"{name}: {value};" in rule for name, value in THEME_COLORS[theme].items())
    assert css_variables().startswith(":root, "), "the default's are the page's without the attribute too"


@pytest.mark.parametrize("theme", THEMES)
def test_the_plots_palette_is_a_bokeh_colour_per_glyph_and_the_keyboard_s_ring_is_the_focus_ring_s(theme):
    colors = palette(theme)
    assert colors.chosen_ring == THEME_COLORS[theme]["--mle-focus-color"]
    for field, value in vars(colors).items():
        values = value if isinstance(value, tuple) else (value,)
        assert all(Color().is_valid(v) for v in values), f"{field} = {value!r}"
