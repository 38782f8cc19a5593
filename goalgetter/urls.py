"""Where pages and backend live, from Reflex's config: one origin (production) or two (dev)."""

from __future__ import annotations

from urllib.parse import urlsplit

import reflex as rx

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | None) -> str | None:
    """`scheme://host[:port]`, lower-cased and without a default port; None if not absolute."""
    parts = urlsplit((url or "").strip())
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not parts.scheme or not host:
        return None
    scheme = parts.scheme.lower()
    if ":" in host:
        host = f"[{host}]"
    suffix = f":{port}" if port and port != _DEFAULT_PORTS.get(scheme) else ""
    return f"{scheme}://{host}{suffix}"


def served_from_one_origin() -> bool:
    """True when pages and backend share an origin: links can then be relative, so the app
    works under whatever host name the browser used."""
    config = rx.config.get_config()
    api = origin_of(config.api_url)
    return api is not None and api == origin_of(config.deploy_url)


def backend_base(page_origin: str | None) -> str:
    """Where browsers reach the backend's routes, for links shown in full (a partner's share,
    a calendar feed): the page's own origin when served from one, else Reflex's api_url."""
    own = origin_of(page_origin) if served_from_one_origin() else None
    return (own or rx.config.get_config().api_url).rstrip("/")
