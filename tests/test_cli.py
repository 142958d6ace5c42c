"""The command line as a user meets it: output, exit status, what gets stored."""

import json
import subprocess
import sys

import pytest

from companion.cli import main
from companion.config import Settings
from companion.store import Store
from tests.support.transcripts import write, zoom_vtt


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stored_sessions():
    return Store(Settings.load().db_path).list_sessions()


def test_analyze_text_report_says_coach_was_inferred(capsys, sample_vtt):
    code, out, err = run(capsys, "analyze", str(sample_vtt))
    assert code == 0 and err == ""
    assert "Coach inferred as Maya" in out
    assert "Sam" in out and "Talk" in out
    assert len(stored_sessions()) == 1


def test_analyze_json_matches_the_contract(capsys, sample_vtt):
    code, out, _ = run(capsys, "analyze", str(sample_vtt), "--format", "json", "--coach", "Maya")
    report = json.loads(out)
    assert set(report) >= {"session", "participants", "utterances", "stages", "coach_skills", "flags",
                           "log_draft"}
    assert set(report["session"]) >= {"id", "source", "duration_s", "started_at"}
    p = report["participants"][0]
    assert set(p) >= {"name", "role", "talk_s", "talk_share", "turns", "words", "words_per_minute",
                      "longest_monologue_s"}
    u = report["utterances"][0]
    assert set(u) >= {"speaker", "role", "start", "end", "text", "acts", "stage", "focus"}
    assert len(report["utterances"]) == 30  # one to one with the cues
    assert not any("inferred" in n for n in report["session"]["notes"])
    assert report["session"]["id"] == stored_sessions()[0]["id"]


def test_analyze_markdown(capsys, sample_vtt):
    code, out, _ = run(capsys, "analyze", str(sample_vtt), "--format", "markdown", "--no-store")
    assert code == 0
    assert out.startswith("# Coaching session")
    assert "| Name | Role |" in out


def test_no_store_stores_nothing(capsys, sample_vtt):
    assert run(capsys, "analyze", str(sample_vtt), "--no-store")[0] == 0
    assert stored_sessions() == []


def test_roles_can_be_given(capsys, sample_vtt):
    _, out, _ = run(capsys, "analyze", str(sample_vtt), "--format", "json", "--no-store",
                    "--coach", "Sam", "--coachee", "Maya")
    roles = {p["name"]: p["role"] for p in json.loads(out)["participants"]}
    assert roles == {"Sam": "coach", "Maya": "coachee"}


@pytest.mark.parametrize("argv, message", [
    (["--coach", "Nobody"], "--coach 'Nobody' is not a speaker"),
    (["--coach", "Sam", "--coachee", "Sam"], "name the same person"),
])
def test_bad_role_names(capsys, sample_vtt, argv, message):
    code, out, err = run(capsys, "analyze", str(sample_vtt), *argv)
    assert code == 2 and out == "" and message in err
    assert stored_sessions() == []


@pytest.mark.parametrize("name, content, message", [
    ("missing.vtt", None, "no such file"),
    ("empty.vtt", "", "file is empty"),
    ("broken.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nA: hi\n", "broken timestamp"),
    ("back.vtt", zoom_vtt([("A", 5, 4, "hi?"), ("B", 6, 7, "yo")]), "ends before it starts"),
    ("far.json", '[{"speaker": "A", "start": 0, "end": 1}, {"speaker": "B", "start": 1, "end": 1e999}]',
     "not a finite number"),
    ("one.vtt", zoom_vtt([("A", 0, 1, "hi"), ("A", 2, 3, "again")]), "only one speaker"),
    ("latin1.srt", b"1\n00:00:01,000 --> 00:00:02,000\nJos\xe9: hola\n", "not valid UTF-8"),
    ("report.pdf", b"%PDF-1.4", "unsupported file type .pdf"),
])
def test_bad_input_exits_2_with_one_line_and_stores_nothing(capsys, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        write(tmp_path, name, content)
    code, out, err = run(capsys, "analyze", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and str(path) in err
    assert stored_sessions() == []


def test_real_process_has_no_traceback(tmp_path):
    bad = write(tmp_path, "bad.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nA: hi\n")
    p = subprocess.run([sys.executable, "-m", "companion", "analyze", str(bad)], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and p.stderr.startswith("companion: error:")


def test_sessions_list_show_export_delete(capsys, sample_vtt):
    run(capsys, "analyze", str(sample_vtt), "--title", "Weekly with Sam")
    sid = stored_sessions()[0]["id"]
    code, out, _ = run(capsys, "sessions", "list")
    assert code == 0 and sid in out and "Weekly with Sam" in out
    code, out, _ = run(capsys, "sessions", "show", sid, "--format", "json")
    assert json.loads(out)["session"]["id"] == sid
    code, out, _ = run(capsys, "sessions", "export", sid)
    exported = json.loads(out)
    assert len(exported["utterances"]) == 30 and exported["report"]["session"]["id"] == sid
    code, out, _ = run(capsys, "sessions", "delete", sid)
    assert code == 0 and "Deleted" in out
    assert stored_sessions() == []
    code, _, err = run(capsys, "sessions", "show", sid)
    assert code == 2 and "no session" in err


def test_export_reimports(capsys, sample_vtt, tmp_path):
    run(capsys, "analyze", str(sample_vtt))
    sid = stored_sessions()[0]["id"]
    _, out, _ = run(capsys, "sessions", "export", sid)
    path = write(tmp_path, "export.json", out)
    code, out, _ = run(capsys, "analyze", str(path), "--format", "json", "--no-store")
    assert code == 0 and len(json.loads(out)["utterances"]) == 30


def test_sessions_errors(capsys):
    assert run(capsys, "sessions", "delete", "nope")[0] == 2
    code, _, err = run(capsys, "sessions", "show")
    assert code == 2 and "needs a session id" in err


def test_purge(capsys, sample_vtt):
    run(capsys, "analyze", str(sample_vtt))
    code, out, _ = run(capsys, "purge", "--older-than", "30d")
    assert code == 0 and "Deleted 0 session(s)" in out
    code, _, err = run(capsys, "purge", "--older-than", "soon")
    assert code == 2 and "cannot read age" in err


def test_data_dir_flag_overrides_environment(capsys, sample_vtt, tmp_path):
    other = tmp_path / "elsewhere"
    run(capsys, "analyze", str(sample_vtt), "--data-dir", str(other))
    assert (other / "companion.db").exists()
    assert stored_sessions() == []


def test_a_bad_number_in_the_environment_is_one_line(monkeypatch, capsys, sample_vtt):
    monkeypatch.setenv("COMPANION_PORT", "eighty")
    code, out, err = run(capsys, "serve")
    assert code == 2 and "port must be a whole number" in err and err.count("\n") == 1
