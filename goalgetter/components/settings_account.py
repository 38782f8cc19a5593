"""Settings: the person's details, their password, and the accounts they sign in with."""

import reflex as rx

from goalgetter.components.buttons import labelled, zone_list
from goalgetter.components.native_form import backend_url
from goalgetter.domain.recurrence import MAX_DURATION, MIN_DURATION
from goalgetter.domain.validation import MAX_NAME_LENGTH, MIN_PASSWORD_LENGTH
from goalgetter.state.account_profile import AccountState, ProviderRow
from goalgetter.state.session import SessionState


def _message(text, element_id: str, color: str) -> rx.Component:
    return rx.cond(text != "", rx.text(text, id=element_id, color_scheme=color, size="2"))


def _details() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Your details", size="4"),
            labelled(
                "Name",
                rx.el.input(
                    name="name",
                    id="settings-name",
                    default_value=AccountState.profile_name,
                    key=AccountState.profile_name,
                    max_length=MAX_NAME_LENGTH,
                    auto_complete="name",
                    class_name="gg-input",
                ),
            ),
            rx.hstack(
                labelled(
                    "Time zone (type to search)",
                    rx.el.input(
                        name="timezone",
                        id="settings-timezone",
                        default_value=rx.cond(
                            AccountState.profile_timezone != "",
                            AccountState.profile_timezone,
                            SessionState.browser_timezone,
                        ),
                        key=AccountState.profile_timezone + SessionState.browser_timezone,
                        list="gg-zones",
                        class_name="gg-input",
                    ),
                ),
                zone_list(),
                labelled(
                    "Check-in length (minutes)",
                    rx.el.input(
                        type="number",
                        name="duration",
                        id="settings-duration",
                        default_value=AccountState.profile_duration,
                        key=AccountState.profile_duration,
                        min=str(MIN_DURATION),
                        max=str(MAX_DURATION),
                        step="5",
                        class_name="gg-input gg-date",
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.text(
                "Mail, exports and new check-in schedules use this time zone. Planned "
                "check-ins keep theirs; change it on the check-ins page.",
                size="1",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.button("Save", id="settings-save", type="submit"),
                rx.cond(
                    AccountState.profile_saved,
                    rx.text("Saved", id="settings-saved", color_scheme="green", size="2"),
                ),
                align="center",
            ),
            _message(AccountState.profile_error, "settings-error", "red"),
            spacing="2",
            width="100%",
            margin_bottom="1.5em",
        ),
        on_submit=AccountState.save_profile,
        reset_on_submit=False,
    )


def _password() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Password", size="4"),
            rx.cond(
                AccountState.has_password,
                labelled(
                    "Current password",
                    rx.el.input(
                        type="password",
                        name="current",
                        id="settings-current-password",
                        auto_complete="current-password",
                        class_name="gg-input",
                    ),
                ),
                rx.text(
                    "You sign in through a linked account. Set a password to sign in "
                    "with your email too.",
                    size="2",
                ),
            ),
            labelled(
                f"New password (at least {MIN_PASSWORD_LENGTH} characters)",
                rx.el.input(
                    type="password",
                    name="new",
                    id="settings-new-password",
                    auto_complete="new-password",
                    class_name="gg-input",
                ),
            ),
            rx.text(
                "Changing it signs you out on every other device.", size="1", color_scheme="gray"
            ),
            rx.hstack(
                rx.button(
                    rx.cond(AccountState.has_password, "Change password", "Set password"),
                    id="settings-password-save",
                    type="submit",
                ),
                rx.cond(
                    AccountState.password_saved,
                    rx.text(
                        "Password saved",
                        id="settings-password-saved",
                        size="2",
                        color_scheme="green",
                    ),
                ),
                align="center",
            ),
            _message(AccountState.password_error, "settings-password-error", "red"),
            spacing="2",
            width="100%",
            margin_bottom="1.5em",
        ),
        on_submit=AccountState.change_password,
        reset_on_submit=True,
    )


def _provider_row(row: ProviderRow) -> rx.Component:
    linked = row["email"] != ""
    return rx.hstack(
        rx.text(row["label"], weight="medium", size="2", min_width="5em"),
        rx.text(
            rx.cond(linked, row["email"], "Not linked"), size="2", color_scheme="gray", flex="1"
        ),
        rx.cond(
            linked,
            rx.button(
                "Unlink",
                on_click=AccountState.unlink_provider(row["provider"]),
                id="provider-unlink-" + row["provider"],
                variant="soft",
                color_scheme="gray",
                size="1",
                type="button",
            ),
            rx.el.a(
                "Link",
                href=backend_url("/auth/") + row["provider"] + "/start?link=1",
                id="provider-link-" + row["provider"],
                reload_document=True,  # the provider's round trip is whole-page navigations
                class_name="gg-link-button",
            ),
        ),
        custom_attrs={"data-provider": row["provider"]},
        class_name="gg-provider-row",
        align="center",
        width="100%",
    )


def _providers() -> rx.Component:
    return rx.cond(
        AccountState.providers.length() > 0,
        rx.vstack(
            rx.heading("Sign-in accounts", size="4"),
            rx.foreach(AccountState.providers, _provider_row),
            _message(AccountState.providers_error, "providers-error", "red"),
            id="settings-providers",
            spacing="2",
            width="100%",
            margin_bottom="1.5em",
        ),
    )


def account_sections() -> rx.Component:
    return rx.fragment(_details(), _password(), _providers())
