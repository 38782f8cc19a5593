"""`make backup` / `make restore`: the embedded store's copy, taken while the app runs.

    python -m goalgetter.backup backup [--to DIR]     (default: backups/goalgetter-<UTC time>)
    python -m goalgetter.backup restore DIR [--force]

A backup is a folder: `goalgetter.sqlite`, copied with SQLite's online backup API (a
consistent snapshot of the database as of one moment, while the store keeps serving: the
store runs SQLite in WAL mode, so the copy reads beside its writes), checked with
`PRAGMA integrity_check`; and `secret_key` when the key was generated into DATA_DIR (signed
links, reset tokens and the calendar's encrypted grants need the same key after a restore).

Restore writes those files into DATA_DIR, the SQLite file through the same backup API. It
refuses while anything accepts connections on EMBEDDED_STORE_PORT (stop the app first; a
store in a long step answers late), refuses a backup that fails its integrity check, and
keeps a database already there unless --force, which moves it aside
(`goalgetter.sqlite.before-restore-<time>`), never deletes it.

Only for the embedded store: with MONGODB_URI set, use that server's own tools (mongodump,
Atlas backups).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from goalgetter.data.embedded_store import store_listening
from goalgetter.settings import PROJECT_ROOT, Settings, get_settings

DATABASE_FILE = "goalgetter.sqlite"
KEY_FILE = "secret_key"
STORE_TABLES = {"collections", "documents"}  # mongoeco's SQLite schema


class BackupError(Exception):
    """Said to the operator as it is; nothing was changed."""


def _copy_database(source: Path, target: Path) -> None:
    """`source` into `target` with SQLite's online backup API (one consistent snapshot),
    written beside `target` first and renamed into place: never half a database there."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    reader, writer = sqlite3.connect(source), sqlite3.connect(partial)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()
    os.replace(partial, target)


def _check(database: Path, *, store_tables: bool = False) -> None:
    """Integrity, and with `store_tables` the embedded store's own tables (an empty file is
    a valid SQLite database, and no backup)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{database} is not a usable SQLite database: {error}") from None
    finally:
        connection.close()
    if verdict != "ok":
        raise BackupError(f"{database} failed its integrity check: {verdict}")
    if store_tables and not STORE_TABLES.issubset(tables):
        raise BackupError(f"{database} is not a copy of the embedded store (no documents).")


def backup(settings: Settings, target: Path | None = None) -> Path:
    """A consistent copy of the embedded store (and generated key) into a new folder."""
    if not settings.uses_embedded_store:
        raise BackupError("MONGODB_URI is set: back up that server with its own tools.")
    source = settings.data_dir / DATABASE_FILE
    if not source.is_file():
        raise BackupError(f"No embedded database at {source} (has the app run?).")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = target or PROJECT_ROOT / "backups" / f"goalgetter-{stamp}"
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} exists and is not empty: choose another folder.")
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)  # the key and everyone's data
    _copy_database(source, target / DATABASE_FILE)
    _check(target / DATABASE_FILE)
    key = settings.data_dir / KEY_FILE
    if not settings.secret_key and key.is_file():
        shutil.copy2(key, target / KEY_FILE)
    return target


def restore(settings: Settings, source: Path, *, force: bool = False) -> Path:
    """The backup folder `source` into DATA_DIR; the restored database's path."""
    if not settings.uses_embedded_store:
        raise BackupError("MONGODB_URI is set: restore that server with its own tools.")
    backed_up = source / DATABASE_FILE
    if not backed_up.is_file():
        raise BackupError(f"No {DATABASE_FILE} in {source}: not a backup folder.")
    _check(backed_up, store_tables=True)
    if store_listening(settings.embedded_store_port):  # a busy store answers late
        raise BackupError(
            f"Something accepts connections on port {settings.embedded_store_port} (the "
            "store, perhaps busy): stop the app first."
        )
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / DATABASE_FILE
    if target.exists():
        if not force:
            raise BackupError(f"{target} exists: pass --force to move it aside and restore.")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        for suffix in ("", "-wal", "-shm"):
            old = Path(f"{target}{suffix}")
            if old.exists():
                old.rename(Path(f"{target}{suffix}.before-restore-{stamp}"))
    _copy_database(backed_up, target)
    if (source / KEY_FILE).is_file():
        shutil.copy2(source / KEY_FILE, data_dir / KEY_FILE)
        os.chmod(data_dir / KEY_FILE, 0o600)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Back up or restore the embedded store.")
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("backup", help="a consistent copy, while the app runs")
    take.add_argument("--to", type=Path, help="the new backup folder")
    put = commands.add_parser("restore", help="a backup folder into DATA_DIR (app stopped)")
    put.add_argument("source", type=Path, help="the backup folder")
    put.add_argument("--force", action="store_true", help="move the current database aside")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            print(f"Backed up to {backup(get_settings(), args.to)}")
        else:
            print(f"Restored into {restore(get_settings(), args.source, force=args.force)}")
    except BackupError as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
