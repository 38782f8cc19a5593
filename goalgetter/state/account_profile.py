"""/settings: the person's name, time zone and check-in length, their password, and the
Google / GitHub accounts they sign in with (never unlinking the last way in)."""

from __future__ import annotations

from typing import TypedDict

import reflex as rx

from goalgetter import account_deletion, accounts
from goalgetter.data import identities, users
from goalgetter.domain.recurrence import check_duration, check_timezone
from goalgetter.domain.validation import ValidationError, normalise_name
from goalgetter.integrations.oauth_clients import configured_providers
from goalgetter.settings import get_settings
from goalgetter.socket_session import session_key_from_cookie
from goalgetter.state.session import SessionState, post_sign_out

PROVIDER_LABELS = {"google": "Google", "github": "GitHub"}


class ProviderRow(TypedDict):
    provider: str
    label: str
    email: str  # "" when not linked
    subject: str


class AccountState(SessionState):
    profile_name: str = ""
    profile_timezone: str = ""
    profile_duration: str = "30"
    profile_error: str = ""
    profile_saved: bool = False
    has_password: bool = False
    password_error: str = ""
    password_saved: bool = False
    providers: list[ProviderRow] = []
    providers_error: str = ""
    delete_open: bool = False
    delete_error: str = ""

    @rx.event
    async def load_account(self):
        user_id = await self._signed_in_user_id()
        user = await users.get_user(user_id) or {}
        settings = user.get("settings") or {}
        self.profile_name = user.get("name", "")
        self.profile_timezone = settings.get("timezone") or ""  # "": the browser's is shown
        self.profile_duration = str(settings.get("meeting_duration") or 30)
        self.profile_error, self.profile_saved = "", False
        self.password_error, self.password_saved = "", False
        self.has_password = bool(await users.stored_password_hash(user_id))
        await self._load_providers(user_id)

    async def _load_providers(self, user_id) -> None:
        linked = {doc["provider"]: doc for doc in await identities.list_for_user(user_id)}
        shown = dict.fromkeys([*configured_providers(get_settings()), *linked])
        self.providers = [
            {
                "provider": provider,
                "label": PROVIDER_LABELS.get(provider, provider),
                "email": (linked[provider].get("email") or "linked") if provider in linked else "",
                "subject": linked[provider]["subject"] if provider in linked else "",
            }
            for provider in shown
        ]

    @rx.event
    async def save_profile(self, form: dict):
        user_id = await self._signed_in_user_id()
        try:
            name = normalise_name(str(form.get("name", ""))[:1000])
            zone = check_timezone(str(form.get("timezone", "")).strip()[:100])
            duration = check_duration(str(form.get("duration", ""))[:10])
        except ValidationError as error:
            self.profile_error, self.profile_saved = error.message, False
            return
        await users.set_profile(user_id, name, zone.key, duration)
        self.profile_name, self.profile_timezone = name, zone.key
        self.profile_duration = str(duration)
        self.user_name, self.user_timezone = name, zone.key
        self.profile_error, self.profile_saved = "", True

    @rx.event
    async def change_password(self, form: dict):
        user_id = await self._signed_in_user_id()
        current, new = str(form.get("current", ""))[:2000], str(form.get("new", ""))[:2000]
        this_session = session_key_from_cookie(self.router.headers.cookie)
        try:
            await accounts.change_password(user_id, current, new, this_session)
        except ValidationError as error:
            self.password_error, self.password_saved = error.message, False
            return
        self.has_password, self.password_error, self.password_saved = True, "", True

    @rx.event
    async def unlink_provider(self, provider: str):
        user_id = await self._signed_in_user_id()
        try:
            await accounts.unlink_provider(user_id, str(provider))
            self.providers_error = ""
        except ValidationError as error:
            self.providers_error = error.message
        await self._load_providers(user_id)

    @rx.event
    def open_delete(self):
        self.delete_open, self.delete_error = True, ""

    @rx.event
    def close_delete(self):
        self.delete_open = False

    @rx.event
    async def delete_account(self, form: dict):
        user_id = await self._signed_in_user_id()
        typed = " ".join(str(form.get("email", ""))[:1000].split()).lower()
        if not typed or typed != self.user_email.lower():
            self.delete_error = "Type your account's email exactly to confirm."
            return
        await account_deletion.delete_account(user_id)
        await self._forget_user()
        # The sign-out form deletes the cookie; ?deleted=1 says why on the sign-in page.
        return rx.call_script(post_sign_out("deleted=1"))
