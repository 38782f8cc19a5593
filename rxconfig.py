import os

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from goalgetter.settings import get_settings

_settings = get_settings()
# Dev hot reload must not restart the backend on every write of the embedded database
# (Reflex needs the excluded folder to exist).
_settings.data_dir.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("REFLEX_HOT_RELOAD_EXCLUDE_PATHS", str(_settings.data_dir.absolute()))

config = rx.Config(
    app_name="goalgetter",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url=_settings.redis_url or None,
    state_manager_mode="redis" if _settings.redis_url else "disk",
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="orange", gray_color="sand", radius="large")
        ),
    ],
    disable_plugins=[SitemapPlugin],
)
