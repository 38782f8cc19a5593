"""The generated secret key: written once, atomically, readable only by its owner."""

from __future__ import annotations

import stat
import threading

import pytest

from goalgetter import settings as settings_module
from goalgetter.settings import Settings


def _settings(data_dir) -> Settings:
    return Settings(secret_key="", data_dir=data_dir)


def test_the_key_is_generated_once_with_owner_only_access(tmp_path):
    data_dir = tmp_path / "data"  # created on demand

    first = _settings(data_dir).resolved_secret_key()
    second = _settings(data_dir).resolved_secret_key()

    assert first == second
    assert len(first) == 64  # token_urlsafe(48)
    key_file = data_dir / "secret_key"
    assert key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in data_dir.iterdir()) == ["secret_key"]  # no temporary left


def test_an_existing_key_file_is_used_as_it_is(tmp_path):
    (tmp_path / "secret_key").write_text("kept-from-before\n")
    assert _settings(tmp_path).resolved_secret_key() == "kept-from-before"


def test_a_set_secret_key_wins_and_writes_nothing(tmp_path):
    assert Settings(secret_key="configured", data_dir=tmp_path).resolved_secret_key() == (
        "configured"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_second_worker_never_reads_a_half_written_key(tmp_path, monkeypatch):
    """Worker A is stopped while it generates its key; worker B starts meanwhile.

    B must not see an empty file; whichever key lands first, both end up with it.
    """
    real_token = settings_module.secrets.token_urlsafe
    a_is_generating, b_is_done = threading.Event(), threading.Event()
    calls = 0

    def token_urlsafe(nbytes):
        nonlocal calls
        calls += 1
        if calls == 1:  # worker A
            a_is_generating.set()
            b_is_done.wait(timeout=5)
        return real_token(nbytes)

    monkeypatch.setattr(settings_module.secrets, "token_urlsafe", token_urlsafe)
    results = {}
    worker_a = threading.Thread(
        target=lambda: results.update(a=_settings(tmp_path).resolved_secret_key())
    )
    worker_a.start()
    try:
        assert a_is_generating.wait(timeout=5)
        results["b"] = _settings(tmp_path).resolved_secret_key()
    finally:
        b_is_done.set()
        worker_a.join(timeout=10)

    assert len(results["b"]) == 64
    assert results["a"] == results["b"] == (tmp_path / "secret_key").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


@pytest.mark.parametrize("workers", [16])
def test_workers_starting_together_agree_on_one_key(tmp_path, workers):
    barrier = threading.Barrier(workers)
    keys = []

    def start():
        barrier.wait()
        keys.append(_settings(tmp_path).resolved_secret_key())

    threads = [threading.Thread(target=start) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(keys) == workers
    assert len(set(keys)) == 1 and len(keys[0]) == 64
