"""The server-wide recognition worker and interim captions, on the tiny random-weight model.

Text from the random model is meaningless: these tests check who gets what,
in which order, and what yields to what — never the words.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from companion.asr import server_transcriber
from companion.asr.engine import ClipText
from companion.asr.stream import Interim, LocalAgreement, SpeakerStream
from companion.asr.transcriber import Transcriber
from companion.model import Utterance
from tests.support.speech import R, voice


class Held:
    """An engine whose finals wait for ``open``; records each call's clip lengths (seconds)."""

    def __init__(self, engine):
        self.engine, self.options = engine, engine.options
        self.open, self.entered = threading.Event(), threading.Event()
        self.finals: list[list[float]] = []
        self.interims: list[float] = []

    def transcribe_clips(self, clips, gap_s=0.5, **kw):
        self.finals.append([round(len(c) / R, 2) for c in clips])
        self.entered.set()
        assert self.open.wait(10)
        return self.engine.transcribe_clips(clips, gap_s=gap_s, **kw)

    def transcribe(self, audio, **kw):
        self.interims.append(round(len(audio) / R, 2))
        return self.engine.transcribe(audio, **kw)


def test_one_worker_for_every_session_never_mixes_their_audio(engine):
    held = Held(engine)
    t = server_transcriber(held)
    answers: list[tuple[str, int, object]] = []
    t.submit(voice(1.0), lambda r: answers.append(("first", 0, r)), session="s0")
    assert held.entered.wait(10)
    # While it is busy, two sessions' utterances arrive interleaved (lengths tell them apart).
    for i in range(3):
        t.submit(voice(1.1), lambda r, i=i: answers.append(("A", i, r)), session="A")
        t.submit(voice(1.3), lambda r, i=i: answers.append(("B", i, r)), session="B")
    held.open.set()
    assert t.join(60)
    t.close()
    assert held.finals[0] == [1.0]
    assert sorted(held.finals[1:]) == [[1.1, 1.1, 1.1], [1.3, 1.3, 1.3]]  # one window per session
    for who in "AB":
        assert [i for w, i, _ in answers if w == who] == [0, 1, 2]  # each session in its own order
    assert all(r is not None for *_, r in answers)
    with pytest.raises(ValueError, match="session"):
        server_transcriber(engine).submit(voice(1.0), print)


def test_interims_yield_to_finals_and_only_the_newest_waits(engine):
    held = Held(engine)
    t = Transcriber(held)
    got: list[tuple[str, object]] = []
    t.submit(voice(1.0), lambda r: got.append(("final-0", r)))
    assert held.entered.wait(10)
    t.submit(voice(1.2), lambda r: got.append(("final-1", r)))
    # Finals are waiting: an interim is refused at once, and never answered.
    assert t.submit_interim(voice(2.0), lambda text: got.append(("refused", text)), key="Ana") is False
    held.open.set()
    assert t.join(60)
    held.open.clear()
    held.entered.clear()
    t.submit(voice(1.0), lambda r: got.append(("final-2", r)))
    assert held.entered.wait(10)
    # Nothing waiting behind the busy worker: interims queue; a newer one for Ana replaces the older.
    assert t.submit_interim(voice(2.0), lambda text: got.append(("ana-old", text)), key="Ana")
    assert t.submit_interim(voice(3.0), lambda text: got.append(("ana-new", text)), key="Ana")
    assert t.submit_interim(voice(2.5), lambda text: got.append(("ben", text)), key="Ben")
    held.open.set()
    assert t.join(60)
    t.close()
    order = [k for k, _ in got]
    assert order == ["final-0", "final-1", "ana-old", "final-2", "ana-new", "ben"]
    assert dict(got)["ana-old"] is None and isinstance(dict(got)["ana-new"], str)
    assert held.interims == [3.0, 2.5]
    assert t.stats.interims == 2 and t.stats.interims_skipped == 2


def test_local_agreement_commits_what_two_decodes_share_and_never_takes_it_back():
    a = LocalAgreement()
    assert a.update("I want to") == ("I want to", "")
    assert a.update("I want two of") == ("I want two of", "I want")
    assert a.update("I want to find a way") == ("I want to find a way", "I want")
    assert a.update("I, want to find a way.") == ("I want to find a way.", "I want to find a way.")
    assert a.update("Hi want") == ("I want to find a way.", "I want to find a way.")  # a worse guess later


def test_interims_come_before_the_final_with_the_same_id(engine):
    t = Transcriber(engine)
    events: list[tuple[str, object]] = []
    s = SpeakerStream("Ana", t, lambda u: events.append(("final", u)),
                      on_interim=lambda i: events.append(("interim", i)), session="s1", loop=None)
    quiet = np.zeros(R // 2, np.int16)
    speech = np.concatenate([quiet, voice(4.0), quiet, quiet, voice(1.5, 180.0), quiet, quiet])
    step = R // 4
    for i in range(0, len(speech), step):  # a quarter second at a time, letting each decode finish
        s.feed(speech[i:i + step], i / R)
        assert t.join(30)
    s.flush()
    assert t.join(30)
    t.close()
    finals = [u for kind, u in events if kind == "final"]
    interims = [i for kind, i in events if kind == "interim"]
    assert [u.id for u in finals] == ["Ana#1", "Ana#2"] and all(isinstance(u, Utterance) for u in finals)
    assert interims and all(isinstance(i, Interim) for i in interims)
    first = [i for i in interims if i.id == "Ana#1"]
    assert len(first) >= 2, "a 4 s stretch should show words about once a second"
    assert all(i.text and i.speaker == "Ana" and i.start == finals[0].start for i in first)
    last_interim = max(k for k, (kind, x) in enumerate(events) if kind == "interim" and x.id == "Ana#1")
    final_at = next(k for k, (kind, x) in enumerate(events) if kind == "final" and x.id == "Ana#1")
    assert last_interim < final_at  # interims never after their final
    assert t.stats.interims >= len(interims)


def test_the_final_is_decoded_during_the_hangover_and_ready_when_the_stretch_closes(engine):
    t = Transcriber(engine)
    finals: list[Utterance] = []
    s = SpeakerStream("Ana", t, finals.append, on_interim=lambda i: None, loop=None)
    pos = 0

    def feed(seconds: float, audio=None) -> None:
        nonlocal pos
        chunk = audio if audio is not None else np.zeros(int(seconds * R), np.int16)
        for i in range(0, len(chunk), 320):
            s.feed(chunk[i:i + 320], (pos + i) / R)
            assert t.join(30)
        pos += len(chunk)

    feed(0, voice(2.0))
    before = t.stats.submitted
    # Quiet for webrtcvad's own overhang (0.09 s) and the tail (0.25 s), not yet the hangover (0.45 s):
    feed(0.4)  # decoded early
    assert t.stats.submitted == before + 1 and finals == []
    feed(0.2)  # the hangover ends: the final is there at once, decoded once
    assert len(finals) == 1 and finals[0].transcribed and finals[0].id == "Ana#1"
    assert t.stats.submitted == before + 1
    # A pause shorter than the hangover: the early decode is dropped, the stretch goes on.
    feed(0, voice(1.5))
    feed(0.4)
    feed(0, voice(1.5, 180.0))
    feed(1.0)
    t.close()
    assert len(finals) == 2 and finals[1].end - finals[1].start > 3.0
    assert t.stats.submitted == before + 3  # the dropped early one, then the whole stretch's


def test_no_interims_while_captions_are_paused_or_without_a_model(engine):
    t = Transcriber(engine)
    seen = []
    s = SpeakerStream("Ben", t, lambda u: None, on_interim=seen.append, loop=None)
    s.transcribe = False
    s.feed(np.concatenate([voice(3.0), np.zeros(R, np.int16)]), 0.0)
    s.flush()
    assert t.join(30)
    t.close()
    timing_only = SpeakerStream("Cat", None, lambda u: None, on_interim=seen.append, loop=None)
    timing_only.feed(np.concatenate([voice(3.0), np.zeros(R, np.int16)]), 0.0)
    timing_only.flush()
    assert seen == [] and t.stats.interims == 0


def test_an_early_final_is_taken_only_when_no_final_waits_or_runs(engine):
    held = Held(engine)
    t = Transcriber(held)
    got = []
    t.submit(voice(1.0), got.append)
    assert held.entered.wait(10)
    assert t.submit(voice(1.0), got.append, if_idle=True) is False  # a final is being recognised
    held.open.set()
    assert t.join(60)
    assert t.submit(voice(1.0), got.append, if_idle=True) is True
    assert t.join(60)
    t.close()
    assert len(got) == 2 and t.stats.submitted == 2


def test_the_utterance_id_survives_the_dict_round_trip():
    u = Utterance("Ana", 1.0, 2.5, "hello there", id="Ana#3")
    assert Utterance.from_dict(u.to_dict()) == u
    assert Utterance.from_dict({"speaker": "Ben", "start": 0, "end": 1}).id == ""  # older rows have none


class Echo:
    """An engine that hears each clip as a numbered phrase and records the prompt of every call."""

    options = None

    def __init__(self):
        self.prompts: list[tuple[str, str | None]] = []
        self.n = 0

    def transcribe_clips(self, clips, gap_s=0.5, prompt=None):
        self.prompts.append(("final", prompt))
        self.n += len(clips)
        return [ClipText(text=f"phrase {self.n - len(clips) + i + 1}") for i in range(len(clips))]

    def transcribe(self, audio, *, words=None, options=None, prompt=None):
        self.prompts.append(("interim", prompt))
        return []


def test_each_session_finals_decode_with_its_own_earlier_words_and_never_another_sessions():
    echo = Echo()
    t = server_transcriber(echo)
    for session in ("s0", "s0", "s1", "s0", "s1"):
        t.submit(voice(1.0), lambda _: None, session=session)
        assert t.join(10)
    assert t.submit_interim(voice(1.0), lambda _: None, key=("s1", "Ana"))
    assert t.join(10)
    t.close()
    assert echo.prompts == [
        ("final", None),                         # s0's first words: nothing said before
        ("final", "phrase 1"),                   # s0 again: its own earlier words
        ("final", None),                         # s1's first: s0's words are not its context
        ("final", "phrase 1 phrase 2"),
        ("final", "phrase 3"),
        ("interim", None),                       # interims decode without context (a cheaper window)
    ]


def test_a_session_that_ended_leaves_no_words_behind_as_context():
    echo = Echo()
    t = server_transcriber(echo)
    t.submit(voice(1.0), lambda _: None, session="s0")
    assert t.join(10)
    t.forget("s0")
    t.submit(voice(1.0), lambda _: None, session="s0")
    assert t.join(10)
    t.close()
    assert echo.prompts == [("final", None), ("final", None)]
