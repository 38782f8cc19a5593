import os

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from goalgetter.settings import get_settings

_settings = get_settings()
# Dev hot reload must not restart the backend on every write of the embedded database
# (Reflex needs the excluded folder to exist).
_settings.data_dir.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("REFLEX_HOT_RELOAD_EXCLUDE_PATHS", str(_settings.data_dir.absolute()))

if _settings.redis_url:
    # Each worker keeps the tabs it is serving in memory and writes them to Redis when
    # another process asks for the same tab or 2 s after it took it, instead of a lock, a
    # read and a write per update: half the backend's CPU under load (bench/load.py).
    os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")
    os.environ.setdefault("REFLEX_OPLOCK_HOLD_TIME", "2s")

config = rx.Config(
    app_name="goalgetter",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url=_settings.redis_url or None,
    state_manager_mode="redis" if _settings.redis_url else "disk",
    # An event holding a tab's state longer than this loses its update. Under a burst the
    # event loop can lag by seconds: 30 s lets overload make replies slower, never lost.
    redis_lock_expiration=30_000,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="orange", gray_color="sand", radius="large")
        ),
    ],
    disable_plugins=[SitemapPlugin],
)
