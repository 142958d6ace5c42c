"""Transcripts as real tools write them are read; hostile ones are refused in one line, quickly."""

from __future__ import annotations

import json

import pytest

from companion.cli import main
from companion.config import Settings
from companion.errors import InputError
from companion.importers import load_transcript, read_transcript
from companion.importers.limits import MAX_CUES, MAX_LINE
from companion.pipeline import analyze_file
from companion.store import Store
from tests.support.transcripts import srt_text, write, zoom_vtt


def _tuples(utts):
    return [(u.speaker, u.start, u.end, u.text) for u in utts]


def test_srt_with_unpadded_and_hourless_times(tmp_path):
    text = ("1\n0:0:13,540 --> 0:0:17,850\nAnn: What do you want?\n\n"
            "2\n00:18,1 --> 00:21,25\nBo: Less noise.\n")
    assert _tuples(load_transcript(write(tmp_path, "t.srt", text))) == [
        ("Ann", 13.54, 17.85, "What do you want?"), ("Bo", 18.1, 21.25, "Less noise.")]


CUES_OUT_OF_ORDER = [
    ("Ann", 0.0, 10.0, "So tell me what is going on at work these days?"),
    ("Bo", 10.5, 30.0, "Well it has been a long month and the project slipped again."),
    ("Ann", 12.0, 12.8, "Mm-hmm."),  # said while Bo talks: overlaps
    ("Bo", 8.0, 9.5, "Sorry, one more thing first."),  # listed late: starts before the cue before it
    ("Ann", 31.0, 40.0, "What would a good outcome look like for you?"),
]


@pytest.mark.parametrize("kind", ["vtt", "srt", "json"])
def test_overlapping_and_out_of_order_cues_are_kept_one_to_one_in_input_order(tmp_path, kind):
    text = {"vtt": zoom_vtt, "srt": srt_text}.get(kind, lambda c: json.dumps(
        [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in c]))(CUES_OUT_OF_ORDER)
    t = read_transcript(write(tmp_path, f"t.{kind}", text))
    assert _tuples(t.utterances) == CUES_OUT_OF_ORDER
    assert any("1 cue(s) start before the cue listed before them (cue 4)" in n for n in t.notes)
    assert any(n.startswith("2 cue(s) overlap an earlier one") for n in t.notes)
    assert [u.start for u in t.in_time_order()] == [0.0, 8.0, 10.5, 12.0, 31.0]


def test_out_of_order_talk_time_is_the_union_and_the_report_says_so(tmp_path):
    report = analyze_file(write(tmp_path, "t.vtt", zoom_vtt(CUES_OUT_OF_ORDER)), Settings.load(),
                          coach="Ann").report
    assert len(report["utterances"]) == len(CUES_OUT_OF_ORDER)
    talk = {p["name"]: p["talk_s"] for p in report["participants"]}
    # Ann: 0-10, 12-12.8, 31-40 (19.8 s); Bo: 8-9.5 and 10.5-30 (21.0 s), each interval once.
    assert talk == pytest.approx({"Ann": 19.8, "Bo": 21.0}, abs=0.01)
    notes = " ".join(report["session"]["notes"])
    assert "start before the cue listed before them" in notes and "overlap an earlier one" in notes


def test_a_zoom_cue_without_a_name_goes_to_the_speaker_before_it(tmp_path):
    text = zoom_vtt([("Ann", 0, 2, "How are you?"), ("Bo", 2.5, 5, "Fine.")]) + \
        "\n3\n00:00:05.500 --> 00:00:07.000\nand busy, really busy\n"
    t = read_transcript(write(tmp_path, "z.vtt", text))
    assert _tuples(t.utterances)[-1] == ("Bo", 5.5, 7.0, "and busy, really busy")
    assert t.notes == ["1 cue(s) had no speaker name (cue 3); each is attributed to the speaker before it."]


def test_json_null_speaker_is_not_a_person_called_none(tmp_path):
    items = [{"speaker": "Ann", "start": 0, "end": 1, "text": "Hi?"}, {"speaker": "Bo", "start": 1, "end": 2},
             {"speaker": None, "start": 2, "end": 3, "text": "still Bo"}]
    utts = load_transcript(write(tmp_path, "n.json", json.dumps(items)))
    assert [u.speaker for u in utts] == ["Ann", "Bo", "Bo"] and "None" not in {u.speaker for u in utts}


def test_whitespace_only_cue_text_is_read_in_linear_time(tmp_path):
    # 10,000 tabs took 8.8 s in the speaker-name pattern; now it is a nameless, empty cue.
    text = zoom_vtt([("Ann", 0, 2, "How are you?"), ("Bo", 2.5, 5, "Fine.")]) + \
        "\n3\n00:00:05.500 --> 00:00:07.000\n" + "\t" * 10_000 + ".\n"
    assert load_transcript(write(tmp_path, "ws.vtt", text))[-1].speaker == "Bo"


def _refused(tmp_path, name, content) -> str:
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as e:
        load_transcript(path)
    message = str(e.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message


def _json(end) -> str:
    return '[{"speaker": "A", "start": 0, "end": 1}, {"speaker": "B", "start": 1, "end": ' + end + "}]"


@pytest.mark.parametrize("end, message", [
    ("NaN", "NaN is not a number JSON allows"),
    ("Infinity", "Infinity is not a number JSON allows"),
    ("1e999", "not a finite number"),
    ('"1e999"', "not a finite number"),
    ('"nan"', "not a finite number"),
    ("1e8", "the longest session accepted is 12 h"),
    ("9" * 400, "a number of 400 characters"),
    ("9" * 5000, "a number of 5,000 characters"),
    ("1." + "5" * 400, "a number of 402 characters"),
    ('"' + "9" * 5000 + '"', "not a number"),
])
def test_json_numbers_that_cannot_be_times(tmp_path, end, message):
    assert message in _refused(tmp_path, "n.json", _json(end))


def test_deeply_nested_json(tmp_path):
    assert "nested too deeply" in _refused(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in _refused(tmp_path, "deep.json", '{"utterances": ' + "[" * 100_000)


def test_a_cue_ending_far_away_is_refused_before_analysis(tmp_path):
    text = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nA: hi\n\n00:00:01.000 --> 100000:00:00.000\nB: hello\n"
    assert "cue 2 ends at 100,000.0 h; the longest session accepted is 12 h" in _refused(tmp_path, "far.vtt", text)


def test_a_65000_digit_srt_line_is_refused_by_the_pre_check(tmp_path):
    text = srt_text([("A", 0, 1, "hi"), ("B", 1, 2, "yo")]) + "\n" + "9" * 65_000 + "\n"
    assert "is 65,000 characters long" in _refused(tmp_path, "d.srt", text)
    text = srt_text([("A", 0, 1, "hi"), ("B", 1, 2, "yo")]) + "\n" + "9" * 5_000 + "\n"
    assert "line 9 has a number of 5,000 digits" in _refused(tmp_path, "d.srt", text)


def test_line_length_and_cue_count_bounds(tmp_path):
    long_line = zoom_vtt([("A", 0, 1, "x" * (MAX_LINE + 1)), ("B", 1, 2, "yo")])
    assert f"line 5 is {MAX_LINE + 4:,} characters long" in _refused(tmp_path, "l.vtt", long_line)
    many = "WEBVTT\n\n" + "00:00:00.000 --> 00:00:00.001\nA: a\n\n" * (MAX_CUES + 1)
    assert f"{MAX_CUES + 1:,} cues; the most accepted" in _refused(tmp_path, "m.vtt", many)
    items = [{"speaker": "A", "start": 0, "end": 0}] * (MAX_CUES + 1)
    assert "cues; the most accepted" in _refused(tmp_path, "m.json", json.dumps(items))


def test_nan_json_in_the_cli_is_one_line_exit_2_and_nothing_stored(tmp_path, capsys):
    path = write(tmp_path, "nan.json", _json("NaN"))
    assert main(["analyze", str(path), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "NaN" in err
    db = Settings.load().db_path
    assert not db.exists() or Store(db).list_sessions() == []
