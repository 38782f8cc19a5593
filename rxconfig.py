import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from goalgetter.settings import get_settings

_settings = get_settings()

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
