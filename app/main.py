"""Entry point for ``panel serve app/main.py`` and ``panel convert``: one new app per session."""

from app.explorer import create_app

create_app().servable()
