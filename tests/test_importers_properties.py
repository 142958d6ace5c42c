"""Property tests of each importer: a valid file round-trips; any other input is one InputError line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.errors import InputError
from companion.importers import load_transcript
from tests.support.transcripts import srt_text, teams_vtt, zoom_vtt

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# "None" is left out: the checks below read a speaker called "None" as a JSON null turned into text.
names = st.text(st.characters(whitelist_categories=("L",)), min_size=1, max_size=12).filter(lambda s: s != "None")
words = st.text(st.characters(whitelist_categories=("L", "N"), whitelist_characters=" ,.?!'"), max_size=80)
millis = st.integers(min_value=0, max_value=3 * 3600 * 1000)


@st.composite
def cues(draw):
    people = draw(st.lists(names, min_size=2, max_size=4, unique=True))
    n = draw(st.integers(min_value=2, max_value=12))
    out = []
    for i in range(n):
        a = draw(millis)
        b = a + draw(st.integers(min_value=0, max_value=60_000))
        text = " ".join(draw(words).split()).lstrip(",.?!' ") or "hm"
        out.append((people[i % len(people)], a / 1000, b / 1000, text))
    return out


WRITERS = {
    "zoom.vtt": zoom_vtt,
    "teams.vtt": teams_vtt,
    "s.srt": srt_text,
    "u.json": lambda c: json.dumps({"utterances": [{"speaker": s, "start": a, "end": b, "text": t}
                                                   for s, a, b, t in c]}),
}


def _load(name: str, content: str | bytes):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return load_transcript(path)


@FAST
@given(cues(), st.sampled_from(sorted(WRITERS)))
def test_a_valid_file_round_trips(cs, name):
    utts = _load(name, WRITERS[name](cs))
    assert [(u.speaker, u.start, u.end, u.text) for u in utts] == cs


def _only_input_errors(name: str, content: str | bytes) -> None:
    try:
        utts = _load(name, content)
    except InputError as e:
        assert "\n" not in str(e) and str(e)
    else:
        assert len({u.speaker for u in utts}) >= 2 and all(u.speaker and u.speaker != "None" for u in utts)
        assert all(0 <= u.start <= u.end for u in utts)


@FAST
@given(st.sampled_from(sorted(WRITERS)), st.one_of(st.text(max_size=400), st.binary(max_size=200)))
def test_arbitrary_input_is_read_or_refused_in_one_line(name, content):
    _only_input_errors(name, content)


@FAST
@given(cues(), st.sampled_from(sorted(WRITERS)), st.data())
def test_a_damaged_valid_file_is_read_or_refused_in_one_line(cs, name, data):
    text = WRITERS[name](cs)
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    cut = data.draw(st.integers(min_value=0, max_value=20))
    junk = data.draw(st.text(alphabet=st.sampled_from('0123456789:.,->\n {}[]"Ee-+\t<>/v'), max_size=30))
    _only_input_errors(name, text[:at] + junk + text[at + cut:])


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["speaker", "start", "end", "text", "utterances", "x"]), inner, max_size=5),
    max_leaves=20,
)


@FAST
@given(json_values)
def test_any_json_value_is_read_or_refused_in_one_line(value):
    _only_input_errors("v.json", json.dumps(value))
