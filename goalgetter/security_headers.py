"""The headers every response carries, and the trusted proxy: two ASGI wrappers for the
app's `api_transformer` list (goalgetter/goalgetter.py), outside every route and page.

`security_headers` adds each header below unless the route set its own (the shared-goals
page keeps its stricter, script-free policy, SCRIPTLESS_CSP), so the rule lives here once.
With COOKIE_SECURE on it also adds HSTS and marks every Set-Cookie `Secure`.

The policy is as strict as Reflex's built pages allow, measured in Chromium
(tests/e2e/test_headers.py records every CSP violation while signing in, streaming a coach
reply and signing out):
- script-src allows the pages' own inline scripts by their hashes, read from the built pages
  when the backend starts (`app_csp`; they change with every build, so they are never
  written down), or 'unsafe-inline' where there is no build to read (dev mode, whose pages
  Vite serves anyway); and it needs 'unsafe-eval' (Reflex runs `rx.call_script` — the time
  zone, signing out — with `eval`);
- style-src needs 'unsafe-inline' (Radix and Emotion write style attributes and tags);
- connect-src 'self' covers the websocket to the backend (CSP 3: 'self' matches ws/wss of
  the same host), as pages and backend share one origin in production.
Everything else is 'self' or nothing: no other origin may run code, be framed around us or
receive a form.

`trusted_proxy` is granian's own proxy-header handling (the server Reflex runs), turned on by
FORWARDED_ALLOW_IPS (uvicorn's setting of the same name and syntax: addresses, networks, or
`*`). Only a peer in that list may say, in X-Forwarded-For and X-Forwarded-Proto, who the
client is; then `request.client` — the per-address rate limits, the logs — is that client.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from pathlib import Path

from granian.utils.proxies import wrap_asgi_with_proxy_headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from goalgetter.settings import get_settings

log = logging.getLogger(__name__)
# With 'unsafe-inline' for scripts: the policy where no built pages can be read (dev mode).
APP_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Server-rendered pages that run no script at all (the shared-goals page).
SCRIPTLESS_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
BASE_HEADERS = {
    "Content-Security-Policy": APP_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.S | re.I)
_FALLBACK_SCRIPTS = "script-src 'self' 'unsafe-inline' 'unsafe-eval'"


def inline_script_hashes(pages: Path) -> list[str]:
    """The CSP source of every distinct inline script in the built pages under `pages`."""
    found = set()
    for page in pages.rglob("*.html"):
        for body in _INLINE_SCRIPT.findall(page.read_bytes()):
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)


def built_pages() -> Path | None:
    """Where the production build's pages are (the folder Reflex serves), if there is one."""
    try:
        import reflex as rx
        from reflex.utils import prerequisites
        from reflex_base import constants

        frontend_path = rx.config.get_config().frontend_path.strip("/")
        folder = prerequisites.get_web_dir() / constants.Dirs.STATIC / frontend_path
    except Exception:
        return None
    return folder if (folder / "index.html").is_file() else None


def app_csp(pages: Path | None) -> str:
    """The app's policy: inline scripts by hash when the built pages can be read."""
    hashes = inline_script_hashes(pages) if pages else []
    if not hashes:
        return APP_CSP
    scripts = " ".join(["script-src 'self' 'unsafe-eval'", *hashes])
    return APP_CSP.replace(_FALLBACK_SCRIPTS, scripts)


def response_headers(cookie_secure: bool, csp: str = APP_CSP) -> list[tuple[bytes, bytes]]:
    """The headers a response gets (each unless it has its own)."""
    headers = {**BASE_HEADERS, "Content-Security-Policy": csp}
    if cookie_secure:
        headers["Strict-Transport-Security"] = HSTS
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


def _secure_cookie(value: bytes) -> bytes:
    attributes = {part.strip().lower() for part in value.split(b";")[1:]}
    return value if b"secure" in attributes else value + b"; Secure"


def security_headers(app: ASGIApp) -> ASGIApp:
    """`app` with the headers above on every HTTP response."""
    cookie_secure = get_settings().cookie_secure
    pages = built_pages()
    csp = app_csp(pages)
    if pages and csp == APP_CSP:
        log.warning("No inline scripts found in %s: script-src allows 'unsafe-inline'", pages)
    added = response_headers(cookie_secure, csp)

    async def with_headers(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if cookie_secure:
                    headers = [
                        (name, _secure_cookie(value) if name.lower() == b"set-cookie" else value)
                        for name, value in headers
                    ]
                headers += [(name, value) for name, value in added if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return with_headers


def trusted_proxy(app: ASGIApp) -> ASGIApp:
    """`app` reading the client from a trusted proxy's headers; unchanged when
    FORWARDED_ALLOW_IPS is empty (the default: the peer is the client)."""
    trusted = get_settings().forwarded_allow_ips.strip()
    if not trusted:
        return app
    return wrap_asgi_with_proxy_headers(app, trusted_hosts=trusted)
