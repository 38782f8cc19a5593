"""`make backup` / `make restore` (python -m goalgetter.backup): a copy of the embedded store
taken while it serves writes, restored into a fresh data directory, where the person signs
in and finds their goal; and every refusal, which changes nothing."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from goalgetter import accounts
from goalgetter.data import client as db_client
from goalgetter.data import goals
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes
from goalgetter.routes import SESSION_COOKIE, http_routes
from tests.fakes.anthropic_fake import free_port
from tests.servers import ROOT

EMAIL, PASSWORD = "ann@example.com", "correct horse battery"
KEY = "a-generated-key-kept-in-the-data-dir-0123456789"


def run(command: str, *args: str | Path, data_dir: Path, port: int):
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "EMBEDDED_STORE_PORT": str(port),
        "MONGODB_URI": "",
        "SECRET_KEY": "",
    }
    argv = [sys.executable, "-m", "goalgetter.backup", command, *map(str, args)]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


async def serve(data_dir: Path) -> tuple[EmbeddedStore, int]:
    port = free_port()
    store = EmbeddedStore(port, data_dir / "goalgetter.sqlite")
    uri = await asyncio.to_thread(store.ensure_running)
    db_client.configure(uri, "goalgetter")
    await ensure_indexes(db_client.get_db())
    return store, port


async def keep_writing(stop: asyncio.Event) -> int:
    """Writes that go on through the backup; how many landed."""
    written = 0
    while not stop.is_set():
        await db_client.get_db().tally.update_one({"_id": "n"}, {"$inc": {"n": 1}}, upsert=True)
        written += 1
    return written


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path, Path]:
    live, fresh, copy = tmp_path / "live", tmp_path / "fresh", tmp_path / "backup"
    live.mkdir()
    (live / "secret_key").write_text(KEY)
    return live, fresh, copy


async def test_backup_while_serving_then_restore_elsewhere_and_sign_in(dirs):
    live, fresh, copy = dirs
    store, port = await serve(live)
    try:
        user = await accounts.sign_up("Ann Lee", EMAIL, PASSWORD)
        await goals.create_goal(user["_id"], "Run 10 km", "Three times a week")
        stop = asyncio.Event()
        writer = asyncio.create_task(keep_writing(stop))
        taken = await asyncio.to_thread(run, "backup", "--to", copy, data_dir=live, port=port)
        stop.set()
        written = await writer
    finally:
        await db_client.close_clients()
        store.stop()
    assert taken.returncode == 0, taken.stderr
    assert f"Backed up to {copy}" in taken.stdout
    assert (copy / "secret_key").read_text() == KEY
    assert oct((copy).stat().st_mode)[-3:] == "700"

    restored = run("restore", copy, data_dir=fresh, port=free_port())
    assert restored.returncode == 0, restored.stderr
    assert (fresh / "secret_key").read_text() == KEY
    store, _ = await serve(fresh)
    try:
        tally = await db_client.get_db().tally.find_one({"_id": "n"})
        # A snapshot of one moment: some of the writes made while it was taken, not more.
        assert tally is None or 0 < tally["n"] <= written
        transport = httpx.ASGITransport(app=http_routes())
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            answer = await http.post("/auth/login", data={"email": EMAIL, "password": PASSWORD})
        assert answer.status_code == 303 and answer.headers["location"].endswith("/workspace")
        assert SESSION_COOKIE in answer.cookies
        signed_in = await accounts.sign_in(EMAIL, PASSWORD)
        listed = await goals.list_goals(signed_in["_id"])
        assert [g["title"] for g in listed.goals] == ["Run 10 km"]
    finally:
        await db_client.close_clients()
        store.stop()


async def test_restore_refuses_while_the_store_runs_and_over_a_database(dirs):
    live, _, copy = dirs
    store, port = await serve(live)
    try:
        await accounts.sign_up("Ann Lee", EMAIL, PASSWORD)
        assert run("backup", "--to", copy, data_dir=live, port=port).returncode == 0
        running = run("restore", copy, data_dir=live, port=port)
        assert running.returncode == 1 and "stop the app first" in running.stderr
        again = run("backup", "--to", copy, data_dir=live, port=port)
        assert again.returncode == 1 and "not empty" in again.stderr
    finally:
        await db_client.close_clients()
        store.stop()
    before = (live / "goalgetter.sqlite").stat().st_size
    with socket.create_server(("127.0.0.1", 0)) as busy:  # a store that answers late
        held = run("restore", copy, data_dir=live, port=busy.getsockname()[1])
    assert held.returncode == 1 and "stop the app first" in held.stderr
    assert (live / "goalgetter.sqlite").stat().st_size == before
    over = run("restore", copy, data_dir=live, port=free_port())
    assert over.returncode == 1 and "--force" in over.stderr
    assert (live / "goalgetter.sqlite").stat().st_size == before
    forced = run("restore", copy, "--force", data_dir=live, port=free_port())
    assert forced.returncode == 0, forced.stderr
    kept = [p.name for p in live.iterdir() if ".before-restore-" in p.name]
    assert any(name.startswith("goalgetter.sqlite.before-restore-") for name in kept)


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100, b"SQLite format 3\0xx"])
async def test_a_damaged_backup_is_refused_and_nothing_changes(tmp_path, content):
    copy, fresh = tmp_path / "backup", tmp_path / "fresh"
    copy.mkdir()
    (copy / "goalgetter.sqlite").write_bytes(content)
    answer = run("restore", copy, data_dir=fresh, port=free_port())
    assert answer.returncode == 1
    assert any(
        said in answer.stderr
        for said in ("not a usable SQLite database", "integrity", "not a copy of the embedded")
    ), answer.stderr
    assert not (fresh / "goalgetter.sqlite").exists()


async def test_what_is_not_a_backup_gets_a_clear_message(tmp_path):
    nothing = run("restore", tmp_path / "nowhere", data_dir=tmp_path / "d", port=free_port())
    assert nothing.returncode == 1 and "not a backup folder" in nothing.stderr
    no_store = run("backup", "--to", tmp_path / "b", data_dir=tmp_path / "empty", port=1)
    assert no_store.returncode == 1 and "No embedded database" in no_store.stderr


def test_the_copy_is_a_plain_sqlite_file(tmp_path):
    source = tmp_path / "goalgetter.sqlite"
    with sqlite3.connect(source) as connection:
        connection.execute("create table t (x)")
        connection.execute("insert into t values (1)")
    connection.close()
    data = tmp_path / "data"
    data.mkdir()
    source.rename(data / "goalgetter.sqlite")
    taken = run("backup", "--to", tmp_path / "b", data_dir=data, port=1)
    assert taken.returncode == 0, taken.stderr
    copied = sqlite3.connect(tmp_path / "b" / "goalgetter.sqlite")
    assert copied.execute("select x from t").fetchall() == [(1,)]
    copied.close()
