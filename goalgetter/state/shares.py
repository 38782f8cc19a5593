"""Sharing goals with a partner: create a link from a goal, list and revoke them in Settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict

import reflex as rx

from goalgetter import partner_digest
from goalgetter.data import goals as goals_data
from goalgetter.data import shares as shares_data
from goalgetter.domain.shares import EXPIRY_DAYS, digest_label
from goalgetter.domain.validation import ValidationError
from goalgetter.state.account_profile import AccountState
from goalgetter.state.account_settings import CalendarFeedState, NotificationsState
from goalgetter.state.goals import GoalsState
from goalgetter.state.google_calendar import GoogleCalendarState
from goalgetter.state.sessions_list import SessionsListState
from goalgetter.urls import backend_base

SHARE_MISSING = "That share no longer exists."


class ShareRow(TypedDict):
    id: str
    shows: str
    partner: str
    created: str
    expires: str
    opened: str
    digest: str


def _when(moment: datetime | None) -> str:
    return moment.replace(tzinfo=UTC).strftime("%d %b %Y, %H:%M UTC") if moment else ""


def share_row(share: dict, titles: dict[str, str]) -> ShareRow:
    if share.get("goal_ids") is None:
        shows = "All active goals"
    else:
        named = [titles.get(str(g), "a goal since deleted") for g in share["goal_ids"]]
        shows = ", ".join(named)
    if share.get("include_progress"):
        shows += " · with check-in progress"
    count = share.get("opened_count", 0)
    opened = f"Opened {count} time{'s' if count != 1 else ''}" if count else "Not opened yet"
    if share.get("last_opened_at"):
        opened += f", last {_when(share['last_opened_at'])}"
    return {
        "id": share["_id"],
        "shows": shows,
        "partner": share.get("partner_name", ""),
        "created": _when(share.get("created_at")),
        "expires": _when(share.get("expires_at")) or "Never",
        "opened": opened,
        "digest": digest_label(share),
    }


class ShareState(GoalsState):
    share_open: bool = False
    share_url: str = ""
    share_error: str = ""
    share_invited: str = ""  # the partner asked by email whether they want check-in updates
    shares: list[ShareRow] = []
    shares_error: str = ""

    @rx.event
    def open_share(self):
        self.share_open, self.share_url, self.share_error = True, "", ""
        self.share_invited = ""

    @rx.event
    def close_share(self):
        self.share_open = False

    def _link(self, token: str) -> str:
        return f"{backend_base(self.router.url.origin)}/s/{token}"

    @rx.event
    async def create_share(self, form: dict):
        user_id = await self._signed_in_user_id()
        which = str(form.get("which", "this"))
        goal_ids = None if which == "all" else [self.selected_id]
        try:
            expiry = int(str(form.get("expiry", "0")))
        except ValueError:
            expiry = -1
        try:
            token, share = await shares_data.create_share(
                user_id,
                goal_ids=goal_ids,
                include_progress=form.get("progress") in ("on", True, "true"),
                partner_name=str(form.get("partner", ""))[:1000],
                partner_email=str(form.get("partner_email", ""))[:1000],
                expiry_days=expiry if expiry in EXPIRY_DAYS else -1,
            )
        except ValidationError as error:
            self.share_error = error.message
            return
        self.share_url, self.share_error = self._link(token), ""
        self.share_invited = share["partner_email"]
        await partner_digest.invite_partner(user_id, share)

    @rx.event
    async def open_settings(self):
        """The settings page's load: the goals (for the shares' titles), then the shares."""
        return await self._open_signed_in_page(
            GoalsState.load,
            AccountState.load_account,
            ShareState.load_shares,
            CalendarFeedState.load_feed,
            NotificationsState.load_notifications,
            GoogleCalendarState.load_google_calendar,
            SessionsListState.load_sessions,
        )

    @rx.event
    async def load_shares(self):
        user_id = await self._signed_in_user_id()
        found = await shares_data.list_shares(user_id)
        titles = {g["id"]: g["title"] for g in self.goals}
        missing = {str(g) for s in found for g in s.get("goal_ids") or []} - set(titles)
        for goal_id in missing:
            goal = await self._goal_title(user_id, goal_id)
            if goal:
                titles[goal_id] = goal
        self.shares = [share_row(s, titles) for s in found]

    async def _goal_title(self, user_id, goal_id: str) -> str:
        goal = await goals_data.get_goal(user_id, goal_id)
        return goal["title"] if goal else ""

    @rx.event
    async def revoke_share(self, share_id: str):
        user_id = await self._signed_in_user_id()
        if not await shares_data.revoke_share(user_id, str(share_id)):
            self.shares_error = SHARE_MISSING
        else:
            self.shares_error = ""
        await self.load_shares()
