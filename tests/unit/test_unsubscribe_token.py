"""The one-click unsubscribe link: signed per person and kind of mail, so it works without
signing in and cannot be made for anyone or anything else."""

from __future__ import annotations

from goalgetter.domain import unsubscribe

KEY, ANN, BOB = "the app's secret key", "6b14b9a47d2bb1db5691f522", "6b14b9a47d2bb1db5691f523"


def test_a_link_verifies_for_its_person_and_group_only():
    signature = unsubscribe.signature(KEY, ANN, "reminders")
    assert unsubscribe.verify(KEY, ANN, "reminders", signature)
    assert not unsubscribe.verify(KEY, BOB, "reminders", signature)
    assert not unsubscribe.verify(KEY, ANN, "recaps", signature)
    assert not unsubscribe.verify("another key", ANN, "reminders", signature)
    assert not unsubscribe.verify(KEY, ANN, "reminders", signature[:-1] + "A")
    assert not unsubscribe.verify(
        KEY, ANN, "everything", unsubscribe.signed(KEY, "unsubscribe", ANN, "everything")
    )


def test_the_link_and_its_headers():
    url = unsubscribe.link("https://goals.example.com/", KEY, ANN, "nudges")
    signature = unsubscribe.signature(KEY, ANN, "nudges")
    assert url == f"https://goals.example.com/unsubscribe/{ANN}/nudges/{signature}"
    assert len(signature) == 24 and "/" not in signature and "+" not in signature
    assert unsubscribe.headers(url) == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_every_mail_kind_that_carries_a_link_names_a_group():
    assert set(unsubscribe.KIND_GROUPS.values()) == set(unsubscribe.GROUPS)
    assert unsubscribe.KIND_GROUPS["milestone-nudge"] == "nudges"
    # A link signed for one purpose does not work for another.
    assert unsubscribe.signed(KEY, "partner-stop", "x") != unsubscribe.signed(
        KEY, "partner-confirm", "x"
    )
