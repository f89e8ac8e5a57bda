"""Entry point for ``panel serve app/main.py`` and ``panel convert``: one new app per session."""

from mle_explorer.explorer import create_app

create_app().servable()
