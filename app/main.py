"""Entry point for ``panel serve app/main.py`` and ``panel convert``: one new app per session."""

import panel as pn

from mle_explorer import pyodide_support
from mle_explorer.explorer import create_app

pyodide_support.use_the_pages_copies_of_panel_assets()  # the static page only, as the next line (see each docstring)
create_app().servable()
pyodide_support.settle_before_first_render(pn.state.curdoc)
