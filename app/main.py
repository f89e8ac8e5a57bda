"""Entry point for ``panel serve app/main.py`` and ``panel convert``: one new app per session."""

import panel as pn

from mle_explorer import upstream
from mle_explorer.explorer import create_app

upstream.use_the_pages_copies_of_panel_assets()  # the static page only, as the next line (see each docstring)
create_app().servable()
upstream.settle_before_first_render(pn.state.curdoc)
