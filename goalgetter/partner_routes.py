"""/partner/<share>/confirm|stop/<signature>: a partner starts or ends the check-in emails.

No sign-in: the partner has no account. A GET only shows a button (mail scanners follow
links), and the POST acts, as does a mail app's own one-click POST for `stop` (RFC 8058).
A link whose share was turned off, expired or never existed answers 404 like a forged one.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from goalgetter import partner_digest
from goalgetter.data import shares as shares_data
from goalgetter.data import users
from goalgetter.domain.shares import DIGEST_ON, DIGEST_STOPPED
from goalgetter.unsubscribe_routes import plain_page

_WORDING = {
    # action: (question, button id, button, done title, done text)
    "confirm": (
        "Get an email from GoalGetter after each of {owner}'s check-ins: their progress on "
        "the goals they shared with you, and the recap?",
        "partner-confirm",
        "Yes, send me the updates",
        "You're in",
        "You'll get a short email after each of {owner}'s check-ins. Every one has a link "
        "to stop them.",
    ),
    "stop": (
        "Stop the emails after {owner}'s check-ins? The page they shared keeps working.",
        "partner-stop",
        "Stop the emails",
        "Stopped",
        "You will get no more emails about {owner}'s check-ins.",
    ),
}


async def partner_page(request: Request) -> Response:
    action = request.path_params["action"]
    share = await shares_data.live_share(request.path_params["share_id"])
    if share is None or not partner_digest.verify(action, share, request.path_params["signature"]):
        return plain_page("This link does not work", "<p>It may have been turned off.</p>", 404)
    owner = await users.get_user(share["user_id"]) or {}
    first = escape((owner.get("name") or "your partner").split(" ")[0])
    question, button_id, button, done, done_text = _WORDING[action]
    if request.method == "POST":
        await shares_data.set_digest(
            share["_id"], DIGEST_ON if action == "confirm" else DIGEST_STOPPED
        )
        return plain_page(done, f"<p>{done_text.format(owner=first)}</p>")
    form = (
        f'<p>{question.format(owner=first)}</p><form method="post">'
        f'<button type="submit" id="{button_id}">{button}</button></form>'
    )
    return plain_page("Check-in emails", form)


PARTNER_ROUTES = [
    Route("/partner/{share_id}/{action:str}/{signature}", partner_page, methods=["GET", "POST"])
]
