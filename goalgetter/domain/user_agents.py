"""A short, readable name for the device a session was started on, from its User-Agent.

"Chrome on Windows", "Mobile Safari on iPhone", "Firefox on Linux": what a person needs to
recognise their own devices in Settings, no versions (they change with every update and
would make one laptop look like several). Parsed with ua-parser's built-in rules.
"""

from __future__ import annotations

import functools

import ua_parser

UNKNOWN_DEVICE = "Unknown device"
# Stored with the session; anything longer is not a browser's and only costs space.
MAX_USER_AGENT_LENGTH = 512
# Where the device says more than the OS: "iOS" is both a phone and a tablet. Android models
# are left out: their User-Agents now name a placeholder ("K") rather than the phone.
_NAMED_DEVICES = {"iPhone", "iPad", "iPod"}


def stored_user_agent(header: str | None) -> str:
    """What a session keeps of the User-Agent header: printable, cut to a browser's size."""
    text = "".join(ch for ch in (header or "")[:MAX_USER_AGENT_LENGTH] if ch.isprintable())
    return text.strip()


@functools.lru_cache(maxsize=1024)
def device_name(user_agent: str) -> str:
    """ "<browser> on <device or OS>", or the half that is known, or UNKNOWN_DEVICE."""
    parsed = ua_parser.parse(stored_user_agent(user_agent))
    browser = parsed.user_agent.family if parsed.user_agent else ""
    system = parsed.os.family if parsed.os else ""
    device = parsed.device.family if parsed.device else ""
    where = device if device in _NAMED_DEVICES else system
    browser = "" if browser == "Other" else browser
    where = "" if where == "Other" else where
    if browser and where:
        return f"{browser} on {where}"
    return browser or where or UNKNOWN_DEVICE
