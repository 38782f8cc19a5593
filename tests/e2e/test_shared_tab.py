"""One browser tab shared by two people, and the state store read raw.

Every websocket frame the page receives is kept: after Ann signs out, none may carry her
words, not even the sign-in page's first frames, nor any frame Bob's session gets later in the
same tab. The state store (Redis here, as in production) is read key by key: it holds no
session token.
"""

from __future__ import annotations

import re
import uuid

import redis
from playwright.sync_api import Page, expect

from tests.e2e.flows import (
    SIGNED_OUT,
    new_goal,
    send_message,
    sign_out,
    sign_up,
    unique_email,
    wait_reply_done,
)
from tests.e2e.sockets import HeldSocket
from tests.polling import wait_until

MARK = f"zs{uuid.uuid4().hex[:8]}"
# A worker writes a tab's state to Redis at most 2 s after it took the tab (rxconfig.py):
# a loaded machine is slower.
STATE_WRITTEN_SECONDS = 30


def _keep_frames(page: Page) -> list[str]:
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))),
    )
    return frames


def _tab_token(page: Page) -> str:
    return page.evaluate("window.sessionStorage.getItem('token')")


def test_a_shared_tab_signed_out_and_into_by_another_gets_nothing_of_the_first(
    page, app, redis_url
):
    frames = _keep_frames(page)
    ann_words = [f"{MARK} goal", f"{MARK} private text", f"{MARK} chat"]
    sign_up(page, app.url, f"Ann {MARK}", unique_email("ann"))
    new_goal(page, ann_words[0], ann_words[1])
    send_message(page, ann_words[2])
    wait_reply_done(page)
    assert any(MARK in frame for frame in frames)  # the recorder sees her frames
    ann_token = _tab_token(page)

    signed_out_at = len(frames)
    sign_out(page)
    expect(page.locator("#auth-email")).to_be_visible()
    # The sign-in page's script sets its client token once it loads: read it after that.
    page.wait_for_function("window.sessionStorage.getItem('token') !== null")
    next_token = _tab_token(page)
    # Emptied on the server before the page changed: her old tab's stored state is clean
    # once the worker writes the tab back (it holds the tabs it serves for 2 s).
    store = redis.Redis.from_url(redis_url)

    def old_state() -> list[bytes]:
        return [_raw_value(store, k) for k in store.scan_iter() if ann_token.encode() in k]

    wait_until(
        lambda: old_state() and not [v for v in old_state() if MARK.encode() in v],
        timeout=STATE_WRITTEN_SECONDS,
        what="her tab's state stored, emptied",
    )

    sign_up(page, app.url, "Bob Next", unique_email("bob"))
    expect(page.locator("#goal-list [data-goal-id]")).to_have_count(0)
    after = frames[signed_out_at:]
    assert after, "the recorder saw the pages after sign-out"
    assert [frame for frame in after if MARK in frame] == []
    # The sign-in page got a new client token: her tab's state is left behind, emptied.
    assert next_token not in (None, ann_token)


def test_the_state_store_holds_no_session_token(page, app, redis_url):
    sign_up(page, app.url, f"Store {MARK}", unique_email("store"))
    new_goal(page, f"{MARK} stored goal", "Text kept in the tab's state.")
    session_token = {c["name"]: c["value"] for c in page.context.cookies()}["gg_session"]
    tab_token = _tab_token(page)

    store = redis.Redis.from_url(redis_url)

    def stored_goal() -> bool:
        return any(
            f"{MARK} stored goal".encode() in _raw_value(store, key)
            for key in store.scan_iter()
            if tab_token.encode() in key
        )

    # The stored values are read once the worker has written the tab back: the title is in.
    wait_until(stored_goal, timeout=STATE_WRITTEN_SECONDS, what="the tab's state in the store")
    for key in store.scan_iter():
        assert session_token.encode() not in key
        assert session_token.encode() not in _raw_value(store, key)


def _raw_value(store: redis.Redis, key: bytes) -> bytes:
    kind = store.type(key)
    if kind == b"string":
        return store.get(key) or b""
    if kind == b"hash":
        return b"".join(k + v for k, v in store.hgetall(key).items())
    if kind in (b"set", b"list", b"zset"):
        items = {
            b"set": store.smembers,
            b"list": lambda k: store.lrange(k, 0, -1),
            b"zset": lambda k: store.zrange(k, 0, -1),
        }[kind](key)
        return b"".join(items)
    return b""


def test_sign_out_still_signs_out_when_the_server_does_not_answer(page, app):
    socket = HeldSocket(page)
    sign_up(page, app.url, f"Offline {MARK}", unique_email("offline"))
    token = _tab_token(page)
    socket.holding = True  # the sign-out event never reaches the server
    page.click("#signout")
    page.wait_for_url(SIGNED_OUT)
    assert "gg_session" not in {c["name"] for c in page.context.cookies()}
    socket.release()
    page.wait_for_function("() => window.sessionStorage.getItem('token') !== null")
    assert _tab_token(page) != token
    page.goto(f"{app.url}/workspace")
    page.wait_for_url(re.compile(r".*/login/?$"))
