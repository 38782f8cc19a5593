"""Right side of the workspace: the coach."""

import reflex as rx

from goalgetter.components.brand import ACCENT
from goalgetter.components.buttons import icon_action
from goalgetter.components.confirm_dialog import confirm_dialog
from goalgetter.components.proposal_cards import proposal_cards
from goalgetter.components.safe_markdown import safe_markdown
from goalgetter.components.times import local_time
from goalgetter.domain.validation import MAX_CHAT_MESSAGE_LENGTH
from goalgetter.state.chat import ChatMessage, ChatState


def _bubble(message: ChatMessage) -> rx.Component:
    is_user = message["role"] == "user"
    return rx.box(
        rx.cond(
            is_user,
            rx.text(message["content"], class_name="gg-user-text"),
            safe_markdown(message["content"]),
        ),
        proposal_cards(message),
        rx.cond(
            message["note"] != "",
            rx.text(message["note"], size="1", color_scheme="red", class_name="gg-note"),
        ),
        class_name=rx.cond(is_user, "gg-bubble gg-bubble-user", "gg-bubble gg-bubble-coach"),
        custom_attrs={"data-role": message["role"], "data-message-id": message["id"]},
    )


def _streaming_bubble() -> rx.Component:
    return rx.box(
        safe_markdown(ChatState.streaming_text),
        class_name="gg-bubble gg-bubble-coach",
        custom_attrs={"data-role": "assistant", "data-message-id": ChatState.streaming_id},
    )


def _typing_indicator() -> rx.Component:
    return rx.box(
        rx.el.span(),
        rx.el.span(),
        rx.el.span(),
        class_name="gg-typing",
        id="chat-typing",
        aria_label="The coach is typing",
    )


def _notice() -> rx.Component:
    """While the coach retries: what happened and when it tries again (Stop stays there)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("hourglass", size=16)),
        rx.callout.text(ChatState.chat_notice),
        color_scheme="amber",
        size="1",
        id="chat-notice",
        role="status",
    )


def _header() -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon("flame", size=20, color="white"),
            class_name="gg-coach-avatar",
        ),
        rx.vstack(
            rx.heading("Your coach", size="3"),
            rx.cond(
                ChatState.coach_offline,
                rx.badge(
                    "Offline coach: SMART checks, no AI",
                    color_scheme="gray",
                    id="coach-offline-badge",
                ),
                rx.text("Direct, energising, on your side.", size="1", color_scheme="gray"),
            ),
            spacing="0",
        ),
        rx.spacer(),
        rx.tooltip(
            icon_action(
                "eraser",
                "Clear chat history",
                ChatState.ask_clear,
                icon_size=16,
                size="2",
                id="chat-clear",
            ),
            content="Clear chat history",
        ),
        width="100%",
        align="center",
    )


def _error_bar() -> rx.Component:
    return rx.cond(
        ChatState.chat_error,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", size=16)),
            rx.callout.text(
                ChatState.chat_error,
                " ",
                rx.cond(
                    ChatState.can_retry,
                    rx.button(
                        rx.icon("rotate-ccw", size=12),
                        "Retry",
                        on_click=ChatState.retry,
                        id="chat-retry",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        type="button",
                    ),
                ),
            ),
            color_scheme="red",
            size="1",
            id="chat-error",
            role="alert",
        ),
    )


def _countdown(instant) -> rx.Component:
    """Time to `instant` ("in 5 minutes"), re-rendered every 5 s, each time re-reading the
    gate, so the chat opens and closes on time without a reload."""
    return rx.moment(instant, from_now=True, interval=5_000, on_change=ChatState.refresh_gate)


def _window_closing() -> rx.Component:
    """In a check-in: when the chat closes. A reply under way then still finishes."""
    return rx.cond(
        ChatState.gate_open & (ChatState.gate_closes_at != ""),
        rx.hstack(
            rx.icon("clock", size=12, flex_shrink="0"),
            rx.text(
                "Check-in chat open until ",
                rx.el.strong(
                    local_time(ChatState.gate_closes_at, "HH:mm", zone_name=True),
                    id="chat-window-time",
                ),
                " (closes ",
                _countdown(ChatState.gate_closes_at),
                ").",
                size="1",
            ),
            spacing="1",
            align="center",
            color="var(--gray-11)",
            id="chat-window",
            custom_attrs={"data-closes-at": ChatState.gate_closes_at},
        ),
    )


def _gate() -> rx.Component:
    """Shown in tracking outside a meeting window: when the coach opens, counting down."""
    return rx.cond(
        ChatState.gate_open,
        rx.fragment(),
        rx.callout.root(
            rx.callout.icon(rx.icon("calendar-clock")),
            rx.callout.text(
                "Your coach is here for your check-ins. ",
                rx.cond(
                    ChatState.gate_opens_at != "",
                    rx.fragment(
                        "The chat opens ",
                        rx.el.strong(
                            local_time(
                                ChatState.gate_opens_at, "dddd D MMMM, HH:mm", zone_name=True
                            ),
                            id="chat-gate-time",
                        ),
                        " (",
                        _countdown(ChatState.gate_opens_at),
                        ").",
                    ),
                    rx.fragment(
                        "No check-in is planned: ",
                        rx.link("plan one", href="/meetings"),
                        ".",
                    ),
                ),
            ),
            id="chat-gate",
            custom_attrs={"data-opens-at": ChatState.gate_opens_at},
            width="100%",
        ),
    )


def _composer() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.text_area(
                id="chat-input",
                name="message",
                placeholder="Talk it through with your coach…",
                enter_key_submit=True,
                max_length=MAX_CHAT_MESSAGE_LENGTH,
                rows="2",
                class_name="gg-chat-input",
                flex="1",
                disabled=~ChatState.gate_open,
            ),
            rx.cond(
                ChatState.is_generating,
                rx.button(
                    rx.icon("square", size=14),
                    "Stop",
                    on_click=ChatState.stop,
                    type="button",
                    id="chat-stop",
                    color_scheme="gray",
                    size="3",
                ),
                rx.button(
                    rx.icon("send", size=16),
                    type="submit",
                    id="chat-send",
                    size="3",
                    aria_label="Send",
                    disabled=~ChatState.gate_open,
                ),
            ),
            align="end",
            width="100%",
        ),
        rx.text(
            "Enter sends · Shift+Enter adds a line",
            size="1",
            color_scheme="gray",
            class_name="gg-hide-narrow",
            margin_top="0.3em",
        ),
        on_submit=ChatState.submit,
        width="100%",
    )


def _clear_dialog() -> rx.Component:
    return confirm_dialog(
        title="Clear the whole conversation?",
        description="Every message with your coach will be deleted.",
        keep_label="Cancel",
        confirm_label="Clear history",
        confirm_id="chat-clear-confirm",
        is_open=ChatState.confirm_clear,
        on_keep=ChatState.cancel_clear,
        on_confirm=ChatState.confirm_clear_history,
    )


def _empty_line(headline: str, line: str) -> rx.Component:
    return rx.fragment(
        rx.text(headline, weight="bold"), rx.text(line, size="2", color_scheme="gray")
    )


def _empty_chat() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("flame", size=36, color=rx.color(ACCENT, 9)),
            rx.cond(
                ChatState.gate_open,
                rx.cond(
                    ChatState.gate_closes_at != "",
                    _empty_line(
                        "It's check-in time.", "Where are you on each goal? Tell me the story."
                    ),
                    _empty_line(
                        "Tell me what you want to make happen.",
                        "I'll help you turn it into a goal you can't ignore.",
                    ),
                ),
                _empty_line(
                    "Your goals are set. Now we make them real.",
                    "We talk in your check-ins; keep working on your goals until then.",
                ),
            ),
            align="center",
            spacing="1",
        ),
        padding="3em 1em",
    )


def chat_panel() -> rx.Component:
    return rx.vstack(
        _header(),
        # column-reverse keeps the view pinned to the newest message while it grows, unless
        # the reader has scrolled up: the browser does it, no scroll script needed.
        rx.box(
            rx.box(
                rx.cond(ChatState.messages.length() == 0, _empty_chat()),
                rx.foreach(ChatState.messages, _bubble),
                rx.cond(ChatState.streaming_text != "", _streaming_bubble()),
                rx.cond(ChatState.waiting_for_first_token, _typing_indicator()),
                rx.cond(ChatState.chat_notice != "", _notice()),
                class_name="gg-messages-list",
            ),
            id="chat-messages",
            class_name="gg-messages",
        ),
        _error_bar(),
        _gate(),
        _window_closing(),
        _composer(),
        _clear_dialog(),
        height="100%",
        width="100%",
        spacing="3",
    )
