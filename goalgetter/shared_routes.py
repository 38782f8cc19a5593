"""/s/<token>: the page a partner opens, and /s/<token>/goals.pdf, the same goals as PDF.

No sign-in and no app: plain server-rendered responses, so a revoked, expired or unknown
link answers 404 (the same for all three), the page carries `noindex` and
`Referrer-Policy: no-referrer`, and it runs no script at all. Every address gets a budget of
views, and a smaller one of links that open nothing, so tokens cannot be guessed at speed
(192 random bits would defeat that anyway).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from limits import RateLimitItemPerMinute
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from goalgetter.data import shares
from goalgetter.domain.phases import PHASE_LABELS
from goalgetter.domain.shares import SharedPage
from goalgetter.domain.timezones import first_zone
from goalgetter.integrations.pdf import goals_pdf
from goalgetter.integrations.share_html import share_html
from goalgetter.rate_limits import build_storage, client_ip
from goalgetter.security_headers import SCRIPTLESS_CSP
from goalgetter.settings import get_settings

VIEWS_PER_IP = RateLimitItemPerMinute(60, namespace="goalgetter")
MISSES_PER_IP = RateLimitItemPerMinute(20, 10, namespace="goalgetter")
# Stricter than the app's own (goalgetter/security_headers.py adds the rest to every page).
HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "Content-Security-Policy": SCRIPTLESS_CSP,
}
_GONE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" '
    'content="noindex"><meta name="viewport" content="width=device-width, initial-scale=1">'
    '<title>Link not available</title></head><body style="font-family:system-ui;padding:2rem'
    '"><main><h1>This link is not available</h1><p>It may have been turned off by the '
    "person who shared it, or it has expired.</p></main></body></html>"
)
_windows: FixedWindowRateLimiter | None = None


def _limiter() -> FixedWindowRateLimiter:
    global _windows
    if _windows is None:
        _windows = FixedWindowRateLimiter(build_storage(get_settings()))
    return _windows


def reset_share_limits() -> None:
    """Tests: forget every count (build anew on next use)."""
    global _windows
    _windows = None


def _refused(status: int, body: str = _GONE) -> Response:
    return HTMLResponse(body, status_code=status, headers=HEADERS)


async def _open(request: Request) -> dict | Response:
    """The share the path's token opens, or the response that refuses it."""
    address, windows = client_ip(request), _limiter()
    if not await windows.test(MISSES_PER_IP, "share-misses", address):
        return _refused(429, "Too many links tried from here. Wait a few minutes.")
    if not await windows.hit(VIEWS_PER_IP, "share-views", address):
        return _refused(429, "Too many views from here. Wait a minute.")
    share = await shares.open_share(request.path_params["token"], datetime.now(UTC))
    if share is None:
        await windows.hit(MISSES_PER_IP, "share-misses", address)
        return _refused(404)
    return share


async def shared_page(request: Request) -> Response:
    share = await _open(request)
    if isinstance(share, Response):
        return share
    page = await shares.shared_page(share)
    pdf_url = f"{request.url.path.rstrip('/')}/goals.pdf"
    return HTMLResponse(share_html(page, pdf_url), headers=HEADERS)


def _pdf_goals(page: SharedPage) -> tuple[list[dict], dict[str, list[dict]]]:
    """The shared goals in the PDF's shape (only what the page shows), and their check-ins."""
    phase_keys = {label: key for key, label in PHASE_LABELS.items()}
    documents, checkins = [], {}
    for number, goal in enumerate(page.goals):
        milestones = [{"title": m.title, "done": m.done, "due": m.due} for m in goal.milestones]
        documents.append(
            {
                "_id": str(number),
                "title": goal.title,
                "content": goal.content,
                "phase": phase_keys.get(goal.phase, ""),
                "metadata": {"deadline": goal.deadline, "milestones": milestones, "tags": []},
            }
        )
        checkins[str(number)] = [{"start": at, "progress": p} for at, p in goal.progress]
    return documents, checkins


async def shared_pdf(request: Request) -> Response:
    share = await _open(request)
    if isinstance(share, Response):
        return share
    page = await shares.shared_page(share)
    documents, checkins = _pdf_goals(page)
    title = f"{page.owner}'s goals" if page.owner else "Goals"
    body = await asyncio.to_thread(
        goals_pdf,
        documents,
        exported_at=datetime.now(UTC),
        tz=first_zone(page.zone),
        title=title,
        checkins=checkins,
    )
    headers = {**HEADERS, "Content-Disposition": 'attachment; filename="shared-goals.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)


SHARE_ROUTES = [
    Route("/s/{token}", shared_page, methods=["GET"]),
    Route("/s/{token}/goals.pdf", shared_pdf, methods=["GET"]),
]
