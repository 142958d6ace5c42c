"""Cues listed out of time order: analysed in time order, reported (and stored) in input order.

The same conversation is analysed twice: listed in time order, and with some
neighbouring cues swapped in the file. The analysis must be the same; the
second report lists its utterances as the file does, and every reference to an
utterance (flags, nudges, commitments, learning-log sources and quotes, a
group's turns) points at the same cue as in the first.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from companion.analysis.order import present_in_order, replay_order
from companion.cli import main
from companion.config import Settings
from companion.model import Utterance
from companion.pipeline import analyze_file, analyze_utterances
from companion.store import Store
from tests.support.dialogues import GROW_DIALOGUE, ROLES, utterances
from tests.support.transcripts import write, zoom_vtt
from tests.test_groups import FAY, cues, group_script
from tests.test_venting import venting


def swapped(utts: list[Utterance], every: int = 3) -> tuple[list[Utterance], list[int]]:
    """The cues with each ``every``-th neighbouring pair swapped; and, for each listed cue, its time position."""
    order = list(range(len(utts)))
    for k in range(0, len(utts) - 1, every):
        if utts[k].start < utts[k + 1].start:
            order[k], order[k + 1] = order[k + 1], order[k]
    return [utts[i] for i in order], order


def cue_of(row: dict[str, Any]) -> tuple:
    return row["speaker"], row["start"], row["text"]


def same_analysis(timed: Any, listed: Any, t_cues: list[tuple], l_cues: list[tuple], refs: dict[str, int],
                  path: str = "") -> None:
    """``listed`` says what ``timed`` says; utterance references may differ but name the same cue."""
    if isinstance(timed, dict):
        assert isinstance(listed, dict) and set(timed) == set(listed), path
        for key in timed:
            a, b, where = timed[key], listed[key], f"{path}.{key}"
            if key in ("index", "confirmed_by") and isinstance(a, int):
                assert t_cues[a] == l_cues[b], where
                refs[where] = refs.get(where, 0) + (a != b)
            elif key == "utterances" and isinstance(a, list) and a and all(isinstance(i, int) for i in a):
                assert [t_cues[i] for i in a] == [l_cues[i] for i in b], where
                refs[where] = refs.get(where, 0) + (a != b)
            else:
                same_analysis(a, b, t_cues, l_cues, refs, where)
    elif isinstance(timed, list):
        assert isinstance(listed, list) and len(timed) == len(listed), path
        for a, b in zip(timed, listed):
            same_analysis(a, b, t_cues, l_cues, refs, f"{path}[]")
    else:
        assert timed == listed, path


def compare(timed: dict[str, Any], listed: dict[str, Any], order: list[int]) -> dict[str, int]:
    """Check ``listed`` against ``timed``; returns, per kind of reference, how many were rewritten."""
    t_cues, l_cues = [cue_of(u) for u in timed["utterances"]], [cue_of(u) for u in listed["utterances"]]
    assert l_cues == [t_cues[i] for i in order]  # input order, one to one
    assert [u["index"] for u in listed["utterances"]] == list(range(len(order)))
    timed, listed = dict(timed), dict(listed)
    timed["session"] = {k: v for k, v in timed["session"].items() if k not in ("notes", "source", "started_at")}
    listed["session"] = {k: v for k, v in listed["session"].items() if k not in ("notes", "source", "started_at")}
    refs: dict[str, int] = {}
    rows = timed.pop("utterances")
    same_analysis([rows[i] for i in order], listed.pop("utterances"), t_cues, l_cues, refs, ".rows")
    same_analysis(timed, listed, t_cues, l_cues, refs)
    return refs


def quotes_match(report: dict[str, Any]) -> int:
    """Every learning-log quote is the utterance its index names; returns how many there are."""
    rows, n = report["utterances"], 0

    def walk(x: Any) -> None:
        nonlocal n
        if isinstance(x, dict):
            for q in x.get("quotes") or []:
                assert (q["speaker"], q["start"], q["text"]) == cue_of(rows[q["index"]])
                n += 1
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk({"log_draft": report["log_draft"], "turns": report.get("turns")})
    return n


def pair_session() -> list[Utterance]:
    """Ten minutes of venting (a flag, a nudge), then a full GROW conversation (commitments, a log)."""
    first = utterances(venting(10))
    summary = [("C", "Great. So you'll ask Priya for her template by Wednesday and send the agenda by Friday."),
               ("E", "Yes. Thank you, this helped.")]
    return first + utterances(GROW_DIALOGUE + summary, start=first[-1].end + 1)


def test_a_pair_report_lists_cues_in_input_order_and_every_reference_follows():
    timed = pair_session()
    listed, order = swapped(timed)
    a = analyze_utterances(timed, roles=dict(ROLES)).report
    b = analyze_utterances(listed, roles=dict(ROLES)).report
    refs = compare(a, b, order)
    moved = {k for k, v in refs.items() if v}
    # Each kind of reference was present and at least one of each was rewritten.
    assert {".rows[].index", ".rows[].commitment[].confirmed_by", ".flags[].utterances", ".nudges[].utterances",
            ".log_draft.actions[].source.utterances", ".log_draft.actions[].source.quotes[].index"} <= moved, refs
    assert quotes_match(b) >= 5


def test_a_group_file_with_swapped_cues_keeps_turns_and_their_sources(tmp_path):
    timed = [Utterance(w, s, e, t) for w, s, e, t in cues(group_script())]
    listed, order = swapped(timed, every=4)
    settings = Settings.load()
    a = analyze_file(write(tmp_path, "timed.vtt", zoom_vtt([(u.speaker, u.start, u.end, u.text) for u in timed])),
                     settings, facilitator=FAY, turn_minutes=10).report
    b = analyze_file(write(tmp_path, "listed.vtt", zoom_vtt([(u.speaker, u.start, u.end, u.text) for u in listed])),
                     settings, facilitator=FAY, turn_minutes=10).report
    refs = compare(a, b, order)
    assert refs.get(".turns[].actions[].source.utterances"), refs
    assert [t["member"] for t in b["turns"]] == [t["member"] for t in a["turns"]] and b["turns"]
    assert quotes_match(b) >= 3
    assert any("start before the cue listed before them" in n and "listed in input order" in n
               for n in b["session"]["notes"])


def test_analyze_stores_the_cues_in_input_order_with_the_report(tmp_path, capsys):
    listed, order = swapped(pair_session())
    path = write(tmp_path, "out_of_order.vtt", zoom_vtt([(u.speaker, u.start, u.end, u.text) for u in listed]))
    assert main(["analyze", str(path), "--coach", "Maya", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [cue_of(u) for u in printed["utterances"]] == [(u.speaker, round(u.start, 2), u.text) for u in listed]
    store = Store(Settings.load().db_path)
    (session,) = store.list_sessions()
    stored = store.utterances(session["id"])
    assert [(u.speaker, round(u.start, 2), u.text) for u in stored] == \
        [(u.speaker, round(u.start, 2), u.text) for u in listed]
    report = store.report(session["id"])
    assert report["utterances"] == printed["utterances"] and quotes_match(report) >= 5


def test_present_in_order_refuses_an_order_that_is_not_a_permutation():
    report = {"utterances": [{"index": 0}, {"index": 1}]}
    with pytest.raises(ValueError, match="not a permutation"):
        present_in_order(report, [0, 0])
    assert present_in_order(report, [0, 1]) == {"utterances": [{"index": 0}, {"index": 1}]}


def test_replay_order_is_stable_by_start():
    utts = [Utterance("A", 5, 6, "c"), Utterance("B", 1, 2, "a"), Utterance("A", 5, 7, "d"), Utterance("B", 3, 4, "b")]
    assert replay_order(utts) == [1, 3, 0, 2]


SEVERAL_SECONDS_LATE = [
    ("Ann", 0.0, 6.0, "What would you like to focus on today?"),
    ("Bo", 6.5, 30.0, "I want to stop taking work home every evening, it is wearing me down."),
    ("Ann", 12.0, 13.0, "Mm-hmm."),
    ("Bo", 31.0, 40.0, "And the deadlines keep moving."),
    ("Ann", 20.0, 21.0, "Right."),  # listed 11 s late
    ("Ann", 41.0, 48.0, "What will you do first, and by when?"),
    ("Bo", 49.0, 56.0, "I will talk to my manager on Monday about the deadlines."),
]


@pytest.mark.parametrize("kind", ["vtt", "json"])
def test_analyze_a_file_with_a_cue_listed_seconds_late(tmp_path, capsys, kind):
    text = zoom_vtt(SEVERAL_SECONDS_LATE) if kind == "vtt" else json.dumps(
        {"utterances": [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in SEVERAL_SECONDS_LATE]})
    path = write(tmp_path, f"late.{kind}", text)
    assert main(["analyze", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert err == ""
    assert [(u["speaker"], u["start"], u["text"]) for u in report["utterances"]] == \
        [(s, a, t) for s, a, _, t in SEVERAL_SECONDS_LATE]
    assert "1 cue(s) start before the cue listed before them (cue 5); they are listed in input order and " \
        "analysed in time order." in report["session"]["notes"]
    assert any(n.startswith("2 cue(s) overlap an earlier one") for n in report["session"]["notes"])
    # The action is drafted from the last cue, and its quote is that cue.
    (action,) = report["log_draft"]["actions"]
    assert action["source"]["utterances"] == [6] and action["source"]["quotes"][0]["text"].startswith("I will talk")
    assert main(["analyze", str(path)]) == 0
    text_out = capsys.readouterr().out
    assert "Note: 1 cue(s) start before the cue listed before them (cue 5)" in text_out
    lines = text_out[text_out.index("Transcript"):].splitlines()
    assert [line.split()[0] for line in lines[3:]] == ["0:00", "0:06", "0:12", "0:31", "0:20", "0:41", "0:49"]


def test_analyze_a_vtt_with_a_cue_without_a_name_and_one_listed_late(tmp_path, capsys):
    text = zoom_vtt([("Ann", 0, 5, "What would you like to focus on today?"), ("Bo", 5.5, 15, "Getting home on time.")])
    text += ("\n3\n00:00:15.200 --> 00:00:20.000\nand not answering emails at night\n"
             "\n4\n00:00:09.000 --> 00:00:10.000\nAnn: Mm-hmm.\n"
             "\n5\n00:00:21.000 --> 00:00:25.000\nAnn: What will you do first?\n")
    path = write(tmp_path, "unnamed.vtt", text)
    assert main(["analyze", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert err == ""
    assert [(u["speaker"], u["start"]) for u in report["utterances"]] == \
        [("Ann", 0.0), ("Bo", 5.5), ("Bo", 15.2), ("Ann", 9.0), ("Ann", 21.0)]
    notes = report["session"]["notes"]
    assert "1 cue(s) had no speaker name (cue 3); each is attributed to the speaker before it." in notes
    assert any("start before the cue listed before them (cue 4)" in n for n in notes)
    (session,) = Store(Settings.load().db_path).list_sessions()
    assert Store(Settings.load().db_path).report(session["id"])["session"]["notes"] == notes
