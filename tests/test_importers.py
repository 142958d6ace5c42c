import json

import pytest

from companion.errors import InputError
from companion.importers import load_transcript
from tests.support.transcripts import srt_text, teams_vtt, write, zoom_vtt

CUES = [
    ("Dana Lee", 1.0, 4.5, "What would you like to work on today?"),
    ("Sam", 5.0, 12.25, "I want to stop running late on projects."),
    ("Dana Lee", 12.5, 14.0, "What makes that important now?"),
]


def _as_tuples(utts):
    return [(u.speaker, u.start, u.end, u.text) for u in utts]


def test_zoom_vtt_keeps_cues_one_to_one(tmp_path):
    utts = load_transcript(write(tmp_path, "zoom.vtt", zoom_vtt(CUES)))
    assert _as_tuples(utts) == CUES


def test_teams_vtt_voice_spans(tmp_path):
    text = teams_vtt(CUES).replace("<v Sam>I want", "<v Sam>I want\n")  # multi-line cue text
    utts = load_transcript(write(tmp_path, "teams.vtt", text))
    assert [u.speaker for u in utts] == ["Dana Lee", "Sam", "Dana Lee"]
    assert utts[1].text == "I want to stop running late on projects."
    assert utts[1].start == 5.0 and utts[1].end == 12.25


def test_srt(tmp_path):
    assert _as_tuples(load_transcript(write(tmp_path, "s.srt", srt_text(CUES)))) == CUES


def test_json_object_and_list(tmp_path):
    items = [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in CUES]
    assert _as_tuples(load_transcript(write(tmp_path, "a.json", json.dumps({"utterances": items})))) == CUES
    assert _as_tuples(load_transcript(write(tmp_path, "b.json", json.dumps(items)))) == CUES


def test_utf8_bom_and_names_with_accents(tmp_path):
    cues = [("Zoë", 0.0, 1.0, "Ça va?"), ("Łukasz", 1.5, 2.0, "Tak.")]
    utts = load_transcript(write(tmp_path, "bom.vtt", "\ufeff" + zoom_vtt(cues)))
    assert [u.speaker for u in utts] == ["Zoë", "Łukasz"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.vtt", None, "no such file"),
        ("empty.vtt", "", "file is empty"),
        ("blank.srt", "  \n\n", "file is empty"),
        ("bad.vtt", "WEBVTT\n\n00:00:01.000 --> 00:0x:04.500\nAnn: hi\n", "line 3: broken timestamp"),
        ("back.vtt", zoom_vtt([("A", 5, 4, "hi?"), ("B", 6, 7, "yo")]), "cue 1 ends before it starts"),
        ("noname.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\njust words\n", "no cue names its speaker"),
        ("one.vtt", zoom_vtt([("A", 0, 1, "hi"), ("A", 2, 3, "me again")]), "only one speaker"),
        ("notvtt.vtt", "hello there\n", "not a WebVTT file"),
        ("latin1.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nJos\xe9: hola\n", "not valid UTF-8"),
        ("bin.srt", b"\x00\x01\x02binary", "binary data"),
        ("broken.json", "{\"utterances\": [", "invalid JSON"),
        ("shape.json", json.dumps({"utterances": [{"speaker": "A"}]}), "utterance 1 has no 'start'"),
        ("nan.json", json.dumps([{"speaker": "A", "start": "x", "end": 1}]), "not a number"),
        ("notes.txt", "A: hi", "unsupported transcript type .txt"),
        ("broken.srt", "1\n00:00:01,000 --> 00:0x:02,000\nAnn: hi\n", "line 2: broken timestamp"),
        ("words.srt", "just some words\nand more\n", "malformed SRT"),
    ],
)
def test_bad_transcripts_name_the_file_and_problem(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        write(tmp_path, name, content)
    with pytest.raises(InputError) as e:
        load_transcript(path)
    assert message in str(e.value)
    assert str(path) in str(e.value)
    assert "\n" not in str(e.value)
