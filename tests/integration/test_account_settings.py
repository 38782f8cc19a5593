"""Settings for the account: details, password (changing it signs out everywhere else), and
linked sign-in accounts (never the last way in)."""

from __future__ import annotations

import pytest

from goalgetter import accounts
from goalgetter.data import identities, users
from goalgetter.domain.recurrence import check_duration, check_timezone
from goalgetter.domain.validation import ValidationError

PASSWORD = "a long first password"


@pytest.fixture
async def kim(db):
    return (await accounts.sign_up("Kim Park", "kim@example.com", PASSWORD))["_id"]


async def test_a_new_password_needs_the_current_one_and_signs_out_every_other_device(kim):
    here, phone, laptop = [await accounts.start_session(kim) for _ in range(3)]
    with pytest.raises(ValidationError) as wrong:
        await accounts.change_password(kim, "not it", "a new long password", "")
    assert wrong.value.message == "Your current password is not right."
    with pytest.raises(ValidationError) as short:
        await accounts.change_password(kim, PASSWORD, "short", "")
    assert short.value.code == "password_short"
    assert await accounts.user_id_for_token(phone) == kim  # refusals changed nothing
    ended = await accounts.change_password(
        kim, PASSWORD, "a new long password", accounts.session_key(here)
    )
    assert ended == 2
    assert await accounts.user_id_for_token(here) == kim
    assert await accounts.user_id_for_token(phone) is None
    assert await accounts.user_id_for_token(laptop) is None
    assert (await accounts.sign_in("kim@example.com", "a new long password"))["_id"] == kim
    with pytest.raises(ValidationError):
        await accounts.sign_in("kim@example.com", PASSWORD)


async def test_an_account_made_through_a_provider_sets_its_first_password(db):
    user = await accounts.sign_up_through_provider("Gus", "gus@example.com")
    await identities.link(user["_id"], "google", "g-1", "gus@example.com")
    with pytest.raises(ValidationError):
        await accounts.sign_in("gus@example.com", "whatever it is")
    await accounts.change_password(user["_id"], "", "gus's own password", "")
    assert (await accounts.sign_in("gus@example.com", "gus's own password"))["_id"] == user["_id"]


async def test_the_last_way_in_cannot_be_unlinked(db, kim):
    gus = (await accounts.sign_up_through_provider("Gus", "gus@example.com"))["_id"]
    await identities.link(gus, "google", "g-1", "gus@example.com")
    with pytest.raises(ValidationError) as last:
        await accounts.unlink_provider(gus, "google")
    assert "only way to sign in" in last.value.message
    await identities.link(gus, "github", "h-1", "gus@example.com")
    await accounts.unlink_provider(gus, "google")  # GitHub still lets Gus in
    assert [doc["provider"] for doc in await identities.list_for_user(gus)] == ["github"]
    with pytest.raises(ValidationError) as foreign:
        await accounts.unlink_provider(kim, "github")  # Gus's link is not Kim's to remove
    assert foreign.value.code == "provider_not_linked"
    await identities.link(kim, "google", "k-1", "kim@example.com")
    await accounts.unlink_provider(kim, "google")  # Kim keeps the password
    assert await identities.list_for_user(kim) == []
    assert await identities.linked_user_id("github", "h-1") == gus


async def test_details_are_checked_and_stored_as_text(kim):
    for bad_zone in ("Mars/Olympus", "../etc/passwd", "localtime", ""):
        with pytest.raises(ValidationError):
            check_timezone(bad_zone)
    for bad_length in ("5", "500", "thirty", "30.5"):
        with pytest.raises(ValidationError):
            check_duration(bad_length)
    zone, minutes = check_timezone("Asia/Kolkata"), check_duration("45")
    await users.set_profile(kim, "<script>alert(1)</script>", zone.key, minutes)
    user = await users.get_user(kim)
    assert user["name"] == "<script>alert(1)</script>"
    assert user["settings"] == {"timezone": "Asia/Kolkata", "meeting_duration": 45}
