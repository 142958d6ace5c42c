"""Sessions for the review tests: a hand-made transcript with a long venting stretch."""

from __future__ import annotations

from pathlib import Path

from companion.config import Settings
from companion.importers import load_transcript
from companion.model import Utterance
from companion.pipeline import analyze_file, analyze_utterances, load_speech
from tests.support.transcripts import zoom_vtt

# (speaker, seconds, text): the coachee vents for about six minutes before moving on.
VENTING_DIALOGUE = [
    ("Ana", 6, "Hi Ben, what would you like to get out of our time today?"),
    ("Ben", 14, "I want to sort out how our weekly planning meeting runs, it has got out of hand."),
    ("Ana", 5, "What would a good outcome look like for you?"),
    ("Ben", 12, "A meeting that ends on time with clear decisions, by the end of next month."),
    ("Ana", 4, "What is happening at the moment?"),
    *[
        step
        for text in [
            "Honestly it is a mess. Nobody prepares, nobody reads the agenda, and it is always the same "
            "people who talk. It never works and I always get blamed when it overruns.",
            "It is so frustrating. Every single meeting is the same disaster. They keep interrupting "
            "and nothing ever gets decided. I am fed up and exhausted by it.",
            "And my manager doesn't listen, she never backs me up, it is unfair and ridiculous. "
            "I hate walking in there. It is a nightmare every week.",
            "Last week was the worst. Total chaos again, people on their phones, nobody cared. "
            "I was so angry and embarrassed. It is pointless.",
            "The same thing again and again. They never prepare, they always complain, and I am "
            "the one who gets blamed for the mess. It is hopeless.",
            "I'm stuck. It's awful, it's stressful, I dread Mondays because of it. Nobody helps, "
            "nobody cares, and it keeps happening.",
            "Honestly the whole thing is a waste of time and it drives me mad. It never changes, "
            "it is always a disaster.",
            "It is just terrible. Everyone is frustrated and nothing works, it is the same as always.",
        ]
        for step in (("Ben", 42, text), ("Ana", 3, "Mm, go on."))
    ],
    ("Ana", 6, "How would you like the situation to be instead?"),
    ("Ben", 16, "I would like it to be short and focused. I could send the agenda earlier and ask someone "
                "to keep time."),
    ("Ana", 5, "What else could you do?"),
    ("Ben", 12, "Maybe I could try a parking list for tangents and agree on it with the team."),
    ("Ana", 6, "What will you do first, and by when?"),
    ("Ben", 12, "I will send the agenda on Thursday and ask Sam to keep time at the next meeting."),
]


def write_vtt(path: Path, dialogue=VENTING_DIALOGUE, gap: float = 0.8) -> Path:
    """A Zoom-style WebVTT of the dialogue, cues back to back with a short gap."""
    cues, t = [], 1.0
    for who, secs, text in dialogue:
        cues.append((who, t, t + secs, text))
        t += secs + gap
    path.write_text(zoom_vtt(cues), encoding="utf-8")
    return path


def say_venting_live(server, live, tmp_path: Path) -> list[Utterance]:
    """Six minutes of venting said into a running live session at once, on the server's loop; returns them."""
    utterances = load_transcript(write_vtt(Path(tmp_path) / "venting.vtt"))

    def say_all():
        for u in utterances:
            live.add_utterance(u)
        live._release(force=True)

    server.call_soon(say_all)
    return utterances


def store_venting_session(store, tmp_path: Path, settings: Settings) -> tuple[str, dict]:
    """Analyse the venting transcript and store it; returns (session id, stored report)."""
    vtt = write_vtt(tmp_path / "venting.vtt")
    analysis = analyze_file(vtt, settings, coach="Ana", coachee="Ben")
    sid = store.save_analysis(analysis.report, analysis.utterances, title="Planning meeting", source=vtt.name)
    return sid, store.report(sid)


def store_untranscribed_session(store) -> tuple[str, dict]:
    """A session heard but not transcribed (no speech model): timings only, and the speech part's note."""
    settings = Settings.load()
    settings.model = "base.en"  # not installed
    speech = load_speech(settings)
    assert speech.engine is None and speech.note
    utts, t = [], 0.5
    for i in range(12):
        who, secs = ("Coach", 4.0) if i % 2 == 0 else ("Coachee", 11.0)
        utts.append(Utterance(who, t, t + secs, "", transcribed=False))
        t += secs + 0.7
    analysis = analyze_utterances(utts, coach="Coach", coachee="Coachee", session={"source": "call.wav"},
                                  notes=[speech.note])
    sid = store.save_analysis(analysis.report, analysis.utterances, title="No model", source="call.wav")
    return sid, store.report(sid)
