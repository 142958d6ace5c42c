import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

import companion.store.db as store_mod
from companion.errors import InputError
from companion.model import Utterance
from companion.pipeline import analyze_file
from companion.store import Store, parse_age


def _analysed(store, settings, sample_vtt):
    result = analyze_file(sample_vtt, settings)
    return store.save_analysis(result.report, result.utterances, title="Sample", source="sample.vtt")


def test_file_is_wal_and_migrated(store, settings):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version == max(m[0] for m in store_mod.MIGRATIONS)
    assert store.migrate() == []  # idempotent


def test_migrations_upgrade_an_old_file_and_keep_its_data(tmp_path, monkeypatch):
    released = list(store_mod.MIGRATIONS)
    path = tmp_path / "old.db"
    applied = []

    def m2(db):
        db["sessions"].add_column("colour", str)
        applied.append(2)

    # A file made by the first release, with a session in it, opened by today's code.
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:1])
    old = Store(path)
    old.db["sessions"].insert({"id": "s1", "title": "Kept", "created_at": "2026-01-01T00:00:00+00:00"})
    old.db["utterances"].insert({"session_id": "s1", "idx": 0, "speaker": "A", "start": 0, "end": 1,
                                 "text": "hello", "words": "[]", "transcribed": 1})
    old.close()
    latest = max(m[0] for m in released)
    monkeypatch.setattr(store_mod, "MIGRATIONS", released + [(latest + 1, "colour", m2)])
    new = Store(path)
    assert applied == [2] and new.schema_version == latest + 1
    assert new.get_session("s1")["title"] == "Kept"
    assert [u.text for u in new.utterances("s1")] == ["hello"]
    assert "colour" in new.db["sessions"].columns_dict
    new.create_session(title="New", participants=[{"name": "A", "role": "coach"}])  # today's schema works


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    def bad(db):
        db["scratch"].create({"id": int}, pk="id")
        raise RuntimeError("boom")

    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:1] + [(2, "bad", bad)])
    with pytest.raises(RuntimeError):
        Store(tmp_path / "x.db")
    db = sqlite3.connect(tmp_path / "x.db")
    assert "scratch" not in {r[0] for r in db.execute("select name from sqlite_master")}
    assert [r[0] for r in db.execute("select id from _migrations")] == [1]


def test_save_analysis_roundtrip(store, settings, sample_vtt):
    sid = _analysed(store, settings, sample_vtt)
    s = store.get_session(sid)
    assert s["status"] == "ended" and s["title"] == "Sample"
    assert {p["role"] for p in s["participants"]} == {"coach", "coachee"}
    assert len(store.utterances(sid)) == len(store.report(sid)["utterances"]) == 30
    assert store.report(sid)["session"]["id"] == sid
    assert store.list_sessions()[0]["id"] == sid


def test_delete_really_deletes(store, settings, sample_vtt):
    keep = _analysed(store, settings, sample_vtt)
    sid = _analysed(store, settings, sample_vtt)
    store.add_event(sid, 1.0, "nudge", {"message": "secret nudge"})
    assert store.delete_session(sid) is True
    for table in store.session_tables():
        assert store.db.execute(f"select count(*) from [{table}] where session_id = ?", [sid]).fetchone()[0] == 0
    assert store.get_session(sid) is None
    assert store.delete_session(sid) is False
    assert len(store.utterances(keep)) == 30  # the other session is untouched
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"secret nudge" not in store.path.read_bytes()  # secure_delete: gone from the file


def test_purge_older_than(store):
    old = store.create_session(title="Old", participants=[{"name": "A", "role": "coach"}])["id"]
    new = store.create_session(title="New", participants=[{"name": "A", "role": "coach"}])["id"]
    long_ago = (datetime.now(UTC) - timedelta(days=45)).isoformat(timespec="seconds")
    store.update_session(old, created_at=long_ago)
    store.add_utterance(old, 0, Utterance("A", 0, 1, "hello"))
    assert store.purge(parse_age("30d")) == [old]
    assert store.get_session(old) is None and store.get_session(new) is not None
    assert store.utterances(old) == []


@pytest.mark.parametrize("text, expected", [("30d", timedelta(days=30)), ("12h", timedelta(hours=12)),
                                            ("2w", timedelta(weeks=2)), ("45m", timedelta(minutes=45))])
def test_parse_age(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["", "30", "d30", "30 days", "-1d"])
def test_parse_age_rejects(text):
    with pytest.raises(InputError):
        parse_age(text)


def test_tokens_are_unique_and_unguessable(store):
    s = store.create_session(title="T", participants=[{"name": "A", "role": "coach"},
                                                      {"name": "B", "role": "coachee"}])
    tokens = [p["token"] for p in s["participants"]]
    assert len(set(tokens)) == 2 and all(len(t) >= 32 for t in tokens)
    assert store.participant_by_token(s["id"], tokens[1])["name"] == "B"
    assert store.participant_by_token(s["id"], "nope") is None
    assert store.participant_by_token("other", tokens[1]) is None
