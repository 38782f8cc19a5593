"""Sending one email: through Resend when RESEND_API_KEY is set, else into the outbox folder.

`ResendSender` uses the `resend` SDK (its base URL from RESEND_API_URL, so tests and staging
can point it at their own server) with the mail's key as the Idempotency-Key on every
attempt. `OutboxWriter` sends nothing: it writes the mail as an .eml file under
`data/outbox/`, and the mail stays visible on /outbox as "outbox". Either raises
MailFailed, saying whether another attempt may succeed (429, 5xx, timeouts) or not.
"""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import resend

from goalgetter.settings import Settings


class MailFailed(Exception):
    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def eml(mail: dict, sender: str) -> bytes:
    """The mail as an RFC 5322 message: plain text and HTML alternatives, headers, files."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, mail["to"], mail["subject"]
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid("goalgetter")
    for name, value in (mail.get("headers") or {}).items():
        message[name] = value
    message.set_content(mail["text"])
    message.add_alternative(mail["html"], subtype="html")
    for attachment in mail.get("attachments") or []:
        maintype, _, subtype = attachment["content_type"].partition("/")
        message.add_attachment(
            attachment["content"].encode(), maintype=maintype, subtype=subtype.split(";")[0],
            filename=attachment["filename"],
        )  # fmt: skip
    return bytes(message)


class OutboxWriter:
    status = "outbox"

    def __init__(self, folder: Path, sender: str):
        self.folder, self.sender = folder, sender

    async def send(self, mail: dict) -> str:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", mail["_id"])[:150] + ".eml"
        path = self.folder / name
        await asyncio.to_thread(self._write, path, eml(mail, self.sender))
        return name

    def _write(self, path: Path, body: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


class ResendSender:
    status = "sent"

    def __init__(self, settings: Settings):
        # The SDK reads these module settings on each request.
        resend.api_key, resend.api_url = settings.resend_api_key, settings.resend_api_url
        self.sender = settings.email_from

    async def send(self, mail: dict) -> str:
        params = {
            "from": self.sender,
            "to": [mail["to"]],
            "subject": mail["subject"],
            "html": mail["html"],
            "text": mail["text"],
            "headers": mail.get("headers") or {},
            "attachments": [
                {"filename": a["filename"], "content": list(a["content"].encode()),
                 "content_type": a["content_type"]}
                for a in mail.get("attachments") or []
            ],
        }  # fmt: skip
        try:
            sent = await resend.Emails.send_async(params, {"idempotency_key": mail["_id"]})
        except resend.exceptions.ResendError as error:
            code = str(error.code)
            status = int(code) if code.isdigit() else 0
            raise MailFailed(f"{code}: {error}"[:300], status == 429 or status >= 500) from error
        except Exception as error:  # the connection: a timeout, a refused or dropped socket
            raise MailFailed(f"{type(error).__name__}: {error}"[:300], True) from error
        return sent["id"]


def make_sender(settings: Settings) -> ResendSender | OutboxWriter:
    if settings.resend_api_key:
        return ResendSender(settings)
    return OutboxWriter(settings.data_dir / "outbox", settings.email_from)
