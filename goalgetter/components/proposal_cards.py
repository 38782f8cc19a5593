"""The coach's proposals in the chat: a card each, with what would change, accept and reject."""

import reflex as rx

from goalgetter.state.chat import ChatMessage, ChatState, ProposalCard, ProposalRow

_STATUS_TEXT = {
    "accepted": "Accepted",
    "rejected": "Rejected",
    "conflict": "Not applied",
    "failed": "Not applied",
    "applying": "Applying…",
}


def _row(row: ProposalRow) -> rx.Component:
    return rx.el.div(
        rx.match(row["kind"], ("added", "+ "), ("removed", "− "), ("gap", ""), "  "),
        row["text"],
        class_name="gg-diff-" + row["kind"],
    )


def _status(card: ProposalCard) -> rx.Component:
    return rx.badge(
        rx.match(card["status"], *_STATUS_TEXT.items(), "Proposed"),
        color_scheme=rx.match(
            card["status"],
            ("accepted", "grass"),
            ("rejected", "gray"),
            ("pending", "orange"),
            "red",
        ),
        class_name="gg-proposal-status",
    )


def _decide(message: ChatMessage, card: ProposalCard) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("check", size=14),
            "Accept",
            on_click=ChatState.accept_proposal(message["id"], card["id"]),
            id="proposal-accept",
            class_name="gg-proposal-accept",
            size="1",
            type="button",
        ),
        rx.button(
            rx.icon("x", size=14),
            "Reject",
            on_click=ChatState.reject_proposal(message["id"], card["id"]),
            id="proposal-reject",
            class_name="gg-proposal-reject",
            size="1",
            variant="soft",
            color_scheme="gray",
            type="button",
        ),
        spacing="2",
    )


def proposal_card(message: ChatMessage, card: ProposalCard) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.icon("sparkles", size=14),
            rx.text(card["label"], size="2", weight="medium", class_name="gg-proposal-label"),
            rx.spacer(),
            _status(card),
            align="center",
            width="100%",
        ),
        rx.cond(card["reason"] != "", rx.text(card["reason"], size="1", color_scheme="gray")),
        rx.el.pre(
            rx.foreach(card["lines"].to(list[ProposalRow]), _row),
            class_name="gg-diff gg-proposal-diff",
        ),
        rx.cond(card["note"] != "", rx.text(card["note"], size="1", color_scheme="red")),
        rx.cond(card["status"] == "pending", _decide(message, card)),
        id="proposal-card",
        class_name="gg-proposal-card",
        custom_attrs={"data-proposal-id": card["id"], "data-status": card["status"]},
    )


def proposal_cards(message: ChatMessage) -> rx.Component:
    return rx.foreach(
        message["proposals"].to(list[ProposalCard]), lambda card: proposal_card(message, card)
    )
