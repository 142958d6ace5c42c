"""The store under pressure: many processes on one file, a read-only folder, a full disk."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

import companion.store.db as store_mod
from companion.cli import main
from companion.errors import StoreUnavailable
from companion.store import Store


def _mount_tmpfs(folder: Path, options: str) -> bool:
    """Mount a small tmpfs on ``folder`` (root only); False where that is not possible."""
    if os.geteuid() != 0:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    return r.returncode == 0


@contextmanager
def read_only_folder(folder: Path, monkeypatch: pytest.MonkeyPatch | None = None):
    """A folder nobody may write: a read-only tmpfs as root (root ignores file modes), else chmod 555.

    Root without ``mount`` (an unprivileged container) can only make SQLite open the file
    read-only in this process, through ``monkeypatch``; a test of another process skips there.
    """
    if _mount_tmpfs(folder, "ro,size=64k"):
        try:
            yield folder
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        if monkeypatch is None:
            pytest.skip("root without mount: no folder is read-only for root in another process")
        connect = sqlite3.connect
        monkeypatch.setattr(store_mod.sqlite3, "connect",
                            lambda path, **kw: connect(f"file:{path}?mode=ro", uri=True, **kw))
        yield folder
        return
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


def test_twenty_concurrent_analyze_processes_all_succeed(tmp_path, sample_vtt):
    data = tmp_path / "shared-data"  # a fresh folder: the first uses race to create and migrate it
    env = {**os.environ, "COMPANION_DATA_DIR": str(data)}
    procs = [subprocess.Popen([sys.executable, "-m", "companion", "analyze", str(sample_vtt), "--coach", "Maya",
                               "--format", "json", "--title", f"run {i}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
             for i in range(20)]
    errors = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    assert [code for code, _ in errors] == [0] * 20, [err for _, err in errors if err][:2]
    assert all(err == "" for _, err in errors)
    store = Store(data / "companion.db")
    assert sorted(s["title"] for s in store.list_sessions()) == sorted(f"run {i}" for i in range(20))
    assert [r["id"] for r in store.db["_migrations"].rows] == [m[0] for m in store_mod.MIGRATIONS]


def test_a_write_waits_for_another_connections_write(tmp_path):
    store = Store(tmp_path / "c.db")
    other = sqlite3.connect(tmp_path / "c.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock ...
    other.execute("INSERT INTO sessions (id, title, created_at) VALUES ('x', 'held', '2026')")
    timer = threading.Timer(0.5, lambda: other.execute("COMMIT"))  # ... and lets go half a second later
    timer.start()
    s = store.create_session(title="waited", participants=[{"name": "A", "role": "coach"}])
    timer.join()
    assert {r["title"] for r in store.list_sessions()} == {"held", "waited"} and s["title"] == "waited"


def test_read_only_data_folder_is_one_line_exit_2(tmp_path, capsys, sample_vtt, monkeypatch):
    with read_only_folder(tmp_path / "ro", monkeypatch) as folder:
        code = main(["analyze", str(sample_vtt), "--data-dir", str(folder)])
        out, err = capsys.readouterr()
        assert code == 2 and out == ""
        assert err.startswith(f"companion: error: cannot use the data folder {folder}: ")
        assert "read-only" in err or "cannot be opened" in err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert not any(folder.iterdir())


def test_read_only_folder_in_a_real_process(tmp_path, sample_vtt):
    with read_only_folder(tmp_path / "ro") as folder:
        r = subprocess.run([sys.executable, "-m", "companion", "analyze", str(sample_vtt), "--data-dir",
                            str(folder)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and str(folder) in r.stderr and "Traceback" not in r.stderr


@pytest.fixture
def full_store(tmp_path):
    """A store whose disk is full: a 1 MB tmpfs filled up as root, else SQLite's page limit."""
    folder = tmp_path / "full"
    mounted = _mount_tmpfs(folder, "size=1m")
    try:
        store = Store(folder / "companion.db")
        if mounted:
            try:
                with open(folder / "filler", "wb") as f:
                    while True:
                        f.write(b"\0" * 4096)
                        f.flush()
            except OSError:  # No space left on device: the disk is full now
                pass
        else:
            pages = store.db.execute("PRAGMA page_count").fetchone()[0]
            store.db.execute(f"PRAGMA max_page_count = {pages}")
        yield store
        store.close()
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def test_full_disk_is_one_line_and_stores_nothing(full_store):
    big = [{"name": "A" * 80, "role": "coach"}] + [{"name": f"P{i}" * 30, "role": "member"} for i in range(400)]
    with pytest.raises(StoreUnavailable) as e:
        for _ in range(50):
            full_store.create_session(title="x" * 200, participants=big)
    assert str(e.value).startswith(f"cannot use the data folder {full_store.path.parent}: ")
    assert "disk is full" in str(e.value) and "\n" not in str(e.value)


def test_full_disk_in_the_cli_exits_2(tmp_path, capsys, sample_vtt, monkeypatch):
    opened = Store._open

    def open_then_cap(self, path):
        opened(self, path)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk fills up during the analysis

    monkeypatch.setattr(Store, "_open", open_then_cap)
    code = main(["analyze", str(sample_vtt)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "disk is full" in err and err.count("\n") == 1
    monkeypatch.setattr(Store, "_open", opened)
    assert Store(tmp_path / "data" / "companion.db").list_sessions() == []
