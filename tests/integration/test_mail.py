"""Mail: queued once, claimed before sending, sent through the real resend SDK against a
loopback Resend, retried with the same Idempotency-Key, kept as failed after the last try,
and written to the outbox folder when no provider is configured."""

from __future__ import annotations

import asyncio
import email
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bson import ObjectId

from goalgetter import accounts, mail_content
from goalgetter.data import outbox
from goalgetter.data.client import get_db
from goalgetter.integrations.mail import OutboxWriter, ResendSender
from goalgetter.mail_delivery import deliver_due
from goalgetter.settings import Settings
from tests.fakes.resend_fake import FakeResend
from tests.integration.command_log import watching

NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def resend_server():
    server = FakeResend().start()
    yield server
    server.stop()


@pytest.fixture
def fake_resend(resend_server):
    resend_server.reset()
    yield resend_server
    resend_server.reset()


def resend_sender(fake: FakeResend) -> ResendSender:
    return ResendSender(Settings(resend_api_key="re_test", resend_api_url=fake.url))


@pytest.fixture
async def welcome_key(db) -> str:
    user_id = ObjectId()
    message = mail_content.welcome("Ann Lee", "ann@example.com", "https://app.example")
    assert await outbox.enqueue(user_id, f"welcome:{user_id}", message, NOW)
    assert not await outbox.enqueue(user_id, f"welcome:{user_id}", message, NOW)  # once
    return f"welcome:{user_id}"


async def stored(key: str) -> dict:
    return await get_db().outbox.find_one({"_id": key})


async def test_mail_queued_at_one_instant_lists_in_the_same_order_on_every_read(db):
    user_id = ObjectId()
    message = mail_content.welcome("Ann Lee", "ann@example.com", "https://app.example")
    keys = [f"welcome:{user_id}:{n}" for n in range(6)]
    await outbox.enqueue_many([(user_id, key, message) for key in keys], NOW)
    await outbox.enqueue(user_id, f"later:{user_id}", message, NOW + timedelta(minutes=1))
    listed = [[mail["_id"] for mail in await outbox.user_mail(user_id)] for _ in range(3)]
    assert listed[0] == [f"later:{user_id}", *reversed(keys)]
    assert listed[1] == listed[2] == listed[0]


async def test_a_mail_is_sent_once_with_its_key_as_the_idempotency_key(welcome_key, fake_resend):
    sender = resend_sender(fake_resend)
    assert (await deliver_due(NOW, sender)).sent == 1
    assert (await deliver_due(NOW + timedelta(hours=1), sender)).sent == 0
    [request] = fake_resend.requests
    assert request["key"] == welcome_key
    body = request["body"]
    assert body["to"] == ["ann@example.com"] and body["subject"] == "Welcome to GoalGetter, Ann"
    assert (
        "https://app.example/workspace" in body["text"] and "<p>Welcome, Ann!</p>" in body["html"]
    )
    mail = await stored(welcome_key)
    assert (mail["status"], mail["attempts"]) == ("sent", 1)
    assert mail["sent_as"] == fake_resend.delivered[welcome_key]["id"]
    assert await outbox.due_ids(NOW + timedelta(days=1)) == []


async def test_a_5xx_is_retried_later_with_the_same_key(welcome_key, fake_resend):
    sender = resend_sender(fake_resend)
    fake_resend.queue("server_error")
    assert (await deliver_due(NOW, sender)).retried == 1
    mail = await stored(welcome_key)
    assert mail["status"] == "queued" and "500" in mail["error"]
    assert mail["due_at"].replace(tzinfo=UTC) == NOW + timedelta(minutes=1)
    assert (await deliver_due(NOW + timedelta(seconds=30), sender)).sent == 0  # not yet
    assert (await deliver_due(NOW + timedelta(minutes=1), sender)).sent == 1
    assert [r["key"] for r in fake_resend.requests] == [welcome_key, welcome_key]
    assert len(fake_resend.delivered) == 1


async def test_after_the_last_attempt_it_stays_visible_as_failed(welcome_key, fake_resend):
    sender = resend_sender(fake_resend)
    fake_resend.queue(*["rate_limited"] * outbox.MAX_ATTEMPTS)
    at = NOW
    for wait in (timedelta(0), *outbox.RETRY_WAITS):
        at += wait
        await deliver_due(at, sender)
    mail = await stored(welcome_key)
    assert (mail["status"], mail["attempts"]) == ("failed", outbox.MAX_ATTEMPTS)
    assert "429" in mail["error"]
    [listed] = await outbox.user_mail(mail["user_id"])
    assert listed["status"] == "failed" and listed["kind"] == "welcome"
    assert await outbox.due_ids(at + timedelta(days=1)) == []


async def test_a_refusal_no_retry_can_cure_fails_at_once(welcome_key, fake_resend):
    fake_resend.queue("invalid")
    report = await deliver_due(NOW, resend_sender(fake_resend))
    assert report.failed == 1 and (await stored(welcome_key))["attempts"] == 1


async def test_two_senders_racing_send_it_once(welcome_key, fake_resend):
    fake_resend.hang_seconds = 0.3
    fake_resend.queue("hang")  # the first send is slow: the second pass runs meanwhile
    first, second = await asyncio.gather(
        deliver_due(NOW, resend_sender(fake_resend)), deliver_due(NOW, resend_sender(fake_resend))
    )
    assert first.sent + second.sent == 1 and len(fake_resend.requests) == 1


async def test_a_send_cut_off_mid_way_is_taken_over_once_its_claim_lapses(welcome_key, fake_resend):
    assert await outbox.claim(welcome_key, NOW) is not None  # a process that then died
    sender = resend_sender(fake_resend)
    assert (await deliver_due(NOW + timedelta(minutes=1), sender)).sent == 0
    assert (await deliver_due(NOW + outbox.CLAIM_FOR, sender)).sent == 1
    assert [r["key"] for r in fake_resend.requests] == [welcome_key]


async def test_without_a_provider_mail_lands_in_the_outbox_folder(welcome_key, tmp_path):
    writer = OutboxWriter(tmp_path / "outbox", "GoalGetter <coach@example.test>")
    assert (await deliver_due(NOW, writer)).sent == 1
    mail = await stored(welcome_key)
    assert mail["status"] == "outbox"
    message = email.message_from_bytes((tmp_path / "outbox").joinpath(mail["sent_as"]).read_bytes())
    assert message["Subject"] == "Welcome to GoalGetter, Ann" and message["To"] == "ann@example.com"
    kinds = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in kinds and "text/html" in kinds


async def test_sign_up_queues_one_welcome(db):
    user = await accounts.sign_up("Bo Park", "bo@example.com", "long enough password")
    mail = await stored(f"welcome:{user['_id']}")
    assert mail["kind"] == "welcome" and mail["to"] == "bo@example.com"
    assert mail["user_id"] == user["_id"]


SEND_FROM_ANOTHER_PROCESS = """
import asyncio, sys
from datetime import datetime
from goalgetter.data import client
from goalgetter.integrations.mail import ResendSender
from goalgetter.mail_delivery import deliver_due
from goalgetter.settings import Settings

uri, name, api, now = sys.argv[1:5]
client.configure(uri, name)

async def main():
    try:
        sender = ResendSender(Settings(resend_api_key="re_test", resend_api_url=api))
        report = await deliver_due(datetime.fromisoformat(now), sender)
        print(report.sent)
    finally:
        await client.close_clients()

asyncio.run(main())
"""


async def test_two_processes_racing_send_it_once(welcome_key, fake_resend, mongo_uri, db):
    fake_resend.hang_seconds = 1.0
    fake_resend.queue("hang")  # whoever sends first is slow: the other runs meanwhile
    command = [
        sys.executable, "-c", SEND_FROM_ANOTHER_PROCESS,
        mongo_uri, db.name, fake_resend.url, NOW.isoformat(),
    ]  # fmt: skip
    processes = [
        await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE, cwd=ROOT)
        for _ in range(2)
    ]
    outputs = [await process.communicate() for process in processes]
    assert all(process.returncode == 0 for process in processes)
    assert sorted(int(out.strip()) for out, _ in outputs) == [0, 1]
    assert len(fake_resend.requests) == 1 and len(fake_resend.delivered) == 1
    assert (await stored(welcome_key))["status"] == "sent"


async def test_a_batch_queues_each_mail_once_and_names_the_new_ones(db):
    """More mails than one store write can list (the embedded store refuses a write of 64
    fields or more), a key queued before, and a key twice in the batch (the first wins)."""
    user_id = ObjectId()

    def welcome(n: int, name: str = "Ann") -> tuple:
        message = mail_content.welcome(name, f"p{n}@example.com", "https://app.example")
        return (user_id, f"welcome:{n}", message)

    assert await outbox.enqueue(*welcome(0), NOW)
    batch = [welcome(n) for n in range(120)] + [welcome(5, "Someone else")]
    assert await outbox.enqueue_many(batch, NOW) == {f"welcome:{n}" for n in range(1, 120)}
    assert await outbox.enqueue_many(batch, NOW) == set()
    assert sorted(await outbox.due_ids(NOW)) == sorted(f"welcome:{n}" for n in range(120))
    assert "Welcome, Ann!" in (await stored("welcome:5"))["text"]
    assert await get_db().outbox.count_documents({}) == 120


async def test_a_batch_with_an_unknown_kind_queues_nothing(db):
    good = mail_content.welcome("Ann", "ann@example.com", "https://app.example")
    bad = {**good, "kind": "<script>spam</script>"}
    user_id = ObjectId()
    with pytest.raises(ValueError, match="unknown mail kind"):
        await outbox.enqueue_many([(user_id, "a", good), (user_id, "b", bad)], NOW)
    assert await outbox.due_ids(NOW) == [] and await stored("a") is None


async def test_a_pass_takes_its_mail_off_the_pending_list_together(db, mongo_uri, tmp_path):
    """One pending-list write per pass (not one per mail), and a pass cut off mid-way still
    takes off the mail it settled: only the one cut off and those after it are left."""
    user_id = ObjectId()
    site = "https://app.example"
    batch = [(user_id, f"welcome:{n}", mail_content.welcome("Ann", f"p{n}@example.com", site))
             for n in range(120)]  # fmt: skip
    await outbox.enqueue_many(batch, NOW)
    writer = OutboxWriter(tmp_path, "coach@goalgetter.app")

    class DiesAtTheSeventyFirst:
        status, sent = writer.status, 0

        async def send(self, mail: dict) -> str:
            if self.sent == 70:
                raise RuntimeError("the process stops here")
            self.sent += 1
            return await writer.send(mail)

    with pytest.raises(RuntimeError, match="stops here"):
        await deliver_due(NOW, DiesAtTheSeventyFirst())
    assert len(await outbox.due_ids(NOW)) == 50
    assert await get_db().outbox.count_documents({"status": "outbox"}) == 70

    async with watching(mongo_uri) as commands:
        report = await deliver_due(NOW + outbox.CLAIM_FOR, writer)  # the claim cut off lapsed
    assert report.sent == 50 and await outbox.due_ids(NOW + timedelta(days=1)) == []
    assert len(commands.writes("outbox_due")) == 1
    assert await get_db().outbox.count_documents({"status": "outbox"}) == 120
    assert len(list(tmp_path.glob("*.eml"))) == 120
