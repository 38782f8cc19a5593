"""/unsubscribe/<user>/<group>/<signature>: stop one kind of mail, without signing in.

A GET shows a page with one button (a link scanner following the link stops nothing); the
button, and a mail app's own one-click POST (RFC 8058, `List-Unsubscribe=One-Click`), turn
the group off. A bad signature is a 404, the same as a link that never existed.
"""

from __future__ import annotations

from html import escape

from bson import ObjectId
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from goalgetter.data import users
from goalgetter.domain import unsubscribe
from goalgetter.settings import get_settings

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def plain_page(title: str, body: str, status: int = 200) -> Response:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{escape(title)}</title></head>'
        '<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;'
        f'padding:0 1rem"><main><h1>{escape(title)}</h1>{body}</main></body></html>'
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _checked(request: Request) -> tuple[ObjectId, str] | None:
    user_id, group = request.path_params["user_id"], request.path_params["group"]
    secret = get_settings().resolved_secret_key()
    if not ObjectId.is_valid(user_id):
        return None
    if not unsubscribe.verify(secret, user_id, group, request.path_params["signature"]):
        return None
    return ObjectId(user_id), group


async def unsubscribe_page(request: Request) -> Response:
    checked = _checked(request)
    if checked is None:
        return plain_page("This link does not work", "<p>It may be incomplete.</p>", 404)
    what = unsubscribe.GROUPS[checked[1]].lower()
    if request.method == "POST":
        await users.set_notification(checked[0], checked[1], False)
        return plain_page("Unsubscribed", f"<p>You will get no more emails about {escape(what)}. "
                     "Turn them back on any time in Settings.</p>")  # fmt: skip
    form = (
        f'<p>Stop emails about {escape(what)}?</p><form method="post">'
        '<button type="submit" id="unsubscribe-confirm">Unsubscribe</button></form>'
    )
    return plain_page("Unsubscribe", form)


UNSUBSCRIBE_ROUTES = [
    Route("/unsubscribe/{user_id}/{group}/{signature}", unsubscribe_page, methods=["GET", "POST"])
]
