"""The device a session is shown as in Settings, from its User-Agent."""

import pytest

from goalgetter.domain.user_agents import (
    MAX_USER_AGENT_LENGTH,
    UNKNOWN_DEVICE,
    device_name,
    stored_user_agent,
)

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (CHROME_WINDOWS + " Edg/120.0.2210.61", "Edge on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.1 Safari/605.1.15",
            "Safari on Mac OS X",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML,"
            " like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "Mobile Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "Mobile Safari on iPad",
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.6099.43 Mobile Safari/537.36",
            "Chrome Mobile on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            "Firefox on Linux",
        ),
        ("curl/8.5.0", "curl"),
        ("", UNKNOWN_DEVICE),
        ("python-httpx/0.28.1", UNKNOWN_DEVICE),
        ("<script>alert(1)</script>", UNKNOWN_DEVICE),
    ],
    ids=[
        "chrome-windows", "edge", "safari-mac", "iphone", "ipad", "android", "firefox-linux",
        "curl", "empty", "library", "script",
    ],
)  # fmt: skip
def test_device_names(user_agent, device):
    assert device_name(user_agent) == device


def test_versions_are_left_out_so_an_update_is_the_same_device():
    newer = CHROME_WINDOWS.replace("Chrome/120", "Chrome/131")
    assert device_name(newer) == device_name(CHROME_WINDOWS)


def test_what_is_stored_is_cut_and_printable():
    assert stored_user_agent(None) == ""
    assert stored_user_agent(" Firefox\x00\n/1 ") == "Firefox/1"
    assert len(stored_user_agent("x" * 100_000)) == MAX_USER_AGENT_LENGTH
    assert device_name("x" * 100_000) == UNKNOWN_DEVICE
