"""Short-lived, single-use records of provider sign-ins under way.

- A flow: what the callback needs from the start (the PKCE verifier, the OpenID nonce, the
  redirect URI, who asked to link), found by the `state` the provider hands back.
- A pending link: a verified provider account waiting for its email's account to prove
  itself with the password.

Both are kept here, on the server, and not in a signed cookie: taking one deletes it in the
same atomic step, so a replayed callback (or a copied link cookie) finds nothing, which a
cookie cannot promise while it lives; and the verifier and nonce never leave the server.
The browser holds only the random token (see goalgetter/oauth_routes.py), and `_id` is its
HMAC, so this collection alone cannot complete anyone's sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from goalgetter.data.client import get_db

FLOW_LIFETIME = timedelta(minutes=10)
PENDING_LINK_LIFETIME = timedelta(minutes=15)


def _record_id(kind: str, token: str, secret_key: str) -> str:
    digest = hmac.new(secret_key.encode(), f"{kind}:{token}".encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()}"


async def save(
    kind: str, token: str, secret_key: str, data: dict, lifetime: timedelta, now=None
) -> None:
    now = now or datetime.now(UTC)
    await get_db().oauth_flows.insert_one(
        {"_id": _record_id(kind, token, secret_key), **data, "expires_at": now + lifetime}
    )


async def take(kind: str, token: str, secret_key: str, now=None) -> dict | None:
    """The record, deleted as it is read (None: unknown, used already, or expired)."""
    if not token:
        return None
    record = await get_db().oauth_flows.find_one_and_delete(
        {"_id": _record_id(kind, token, secret_key)}
    )
    # The TTL index sweeps expired records eventually; until then, refuse them here.
    if record is None or record["expires_at"] <= (now or datetime.now(UTC)):
        return None
    return record


async def delete_for_user(user_id) -> int:
    """Account deletion: the person's pending links and the links they started."""
    result = await get_db().oauth_flows.delete_many(
        {"$or": [{"user_id": user_id}, {"linking_user_id": user_id}]}
    )
    return result.deleted_count
