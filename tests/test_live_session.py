"""LiveSession without a network: ordering, audiences, storage, and a server restart."""

from companion.model import Audience, Utterance
from companion.pipeline import LiveSession, finalize_session


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def new_session(store):
    return store.create_session(title="Weekly", planned_minutes=30, participants=[
        {"name": "Maya", "role": "coach"}, {"name": "Sam", "role": "coachee"}])["id"]


def test_utterances_are_stored_at_once_and_published_to_the_right_audience(store):
    sid = new_session(store)
    sent = []
    clock = Clock()
    live = LiveSession(store, sid, clock=clock, publish=lambda m, a: sent.append((m["type"], a)))
    live.start()
    clock.t += 10
    live.add_utterance(Utterance("Maya", 1.0, 3.0, "What would you like to get from today?"))
    live.add_utterance(Utterance("Sam", 3.5, 9.0, "I want to stop my meetings running over."))
    assert [u.speaker for u in store.utterances(sid)] == ["Maya", "Sam"]  # nothing waits for the end
    assert ("caption", Audience.EVERYONE) in sent
    assert {a for t, a in sent if t in ("balance", "marks")} == {Audience.COACH}
    assert store.get_session(sid)["status"] == "live"


def test_a_restart_continues_the_same_session(store):
    sid = new_session(store)
    clock = Clock()
    first = LiveSession(store, sid, clock=clock)
    first.start()
    first.add_utterance(Utterance("Maya", 1.0, 3.0, "What would you like to work on?"))
    first.add_utterance(Utterance("Sam", 3.5, 20.0, "My team meetings, they always overrun."))
    clock.t += 60

    again = LiveSession(store, sid, clock=clock)  # the server came back up
    assert again.now() == 60.0  # session time survives: it comes from the stored start
    assert len(again.analyzer.ctx.utterances) == 2 and again.next_index == 2
    again.add_utterance(Utterance("Maya", 61.0, 63.0, "What would a good meeting look like?"))
    assert [u.start for u in store.utterances(sid)] == [1.0, 3.5, 61.0]
    report = finalize_session(store, sid)
    talk = {p["name"]: p["talk_s"] for p in report["participants"]}
    assert talk == {"Maya": 4.0, "Sam": 16.5}


def test_paused_transcription_is_announced_and_stored(store):
    sid = new_session(store)
    sent = []
    live = LiveSession(store, sid, clock=Clock(), publish=lambda m, a: sent.append((m, a)))
    live.start()
    live.stream("Sam")  # a participant's stream exists once they join
    live.set_paused(True, by="Sam")
    assert live.streams["Sam"].transcribe is False
    paused = [m for m, a in sent if m["type"] == "paused"]
    assert paused and paused[-1]["paused"] is True and paused[-1]["by"] == "Sam"
    assert any(e["type"] == "paused" for e in store.events(sid))


def test_the_stored_nudges_are_exactly_those_sent_to_the_coach(store):
    """Time-based nudges come from clock ticks; the replay at the end has none, so it must not decide."""
    sid = new_session(store)
    sent = []
    clock = Clock()
    live = LiveSession(store, sid, clock=clock, publish=lambda m, a: sent.append((m, a)))
    live.start()
    clock.t += 20
    live.add_utterance(Utterance("Maya", 1.0, 4.0, "What would you like to talk about today?"))
    live.add_utterance(Utterance("Sam", 4.5, 19.0, "My manager keeps changing my priorities every week."))
    for _ in range(40):  # half an hour of ticks, one a minute, with nobody moving on to options
        clock.t += 60
        live.tick()
    coach_saw = [m["nudge"] for m, a in sent if m["type"] == "nudge"]
    assert coach_saw and all(a == Audience.COACH for m, a in sent if m["type"] == "nudge")
    report = finalize_session(store, sid)
    assert report["nudges"] == coach_saw
    assert store.report(sid)["nudges"] == coach_saw


def test_final_captions_carry_an_id_and_interim_ones_are_shown_but_never_stored(store):
    sid = new_session(store)
    sent = []
    live = LiveSession(store, sid, clock=Clock(), publish=lambda m, a: sent.append((m, a)))
    live.start()

    class Interim:  # the shape asr.stream's interim results have
        speaker, id, start, text = "Sam", "Sam-1", 2.0, "my meetings"

    live._on_interim(Interim())
    final = Utterance("Sam", 2.0, 5.0, "My meetings run over.")
    if hasattr(final, "id"):  # the speech stream sets the same id on the final utterance
        final.id = "Sam-1"
    live.add_utterance(final)
    if hasattr(final, "id"):
        live._on_interim(Interim())  # a late interim after its final is not shown
    captions = [(m, a) for m, a in sent if m["type"] == "caption"]
    assert [m["final"] for m, _ in captions] == [False, True]
    assert {a for _, a in captions} == {Audience.EVERYONE}
    assert captions[0][0]["text"] == "my meetings" and captions[1][0]["id"]
    if hasattr(final, "id"):
        assert captions[1][0]["id"] == "Sam-1"
    assert [u.text for u in store.utterances(sid)] == ["My meetings run over."]
    assert len(live.analyzer.ctx.utterances) == 1


def test_speech_recognition_skipped_is_announced_stored_and_still_counts(store):
    sid = new_session(store)
    sent = []
    clock = Clock()

    class Stats:
        skipped_by_session: dict[str, int] = {}

    class Behind:  # a transcriber that had to skip clips to keep up
        stats = Stats()

    live = LiveSession(store, sid, clock=clock, transcriber=Behind(), publish=lambda m, a: sent.append((m, a)))
    live.start()
    clock.t += 10
    live.add_utterance(Utterance("Sam", 1.0, 6.0, transcribed=False))
    Behind.stats.skipped_by_session["another session"] = 3  # the server-wide worker serves others too
    live.tick()
    assert not [m for m, a in sent if m["type"] == "transcription"]
    Behind.stats.skipped_by_session[sid] = 1
    live.tick()
    live.tick()  # announced once per increase
    notices = [m for m, a in sent if m["type"] == "transcription"]
    assert len(notices) == 1 and notices[0]["skipped"] == 1 and "talk time" in notices[0]["message"]
    report = finalize_session(store, sid)
    assert any("fell behind" in n for n in report["session"]["notes"])
    assert {p["name"]: p["talk_s"] for p in report["participants"]}["Sam"] == 5.0


def test_a_call_without_a_speech_model_says_why_in_its_report(store):
    sid = new_session(store)
    note = "No speech model: 'base.en' is not in /models, so nothing was transcribed. Run `x` to fetch it."
    live = LiveSession(store, sid, clock=Clock(), transcription_note=note)
    live.start()
    live.add_utterance(Utterance("Sam", 1.0, 4.0, transcribed=False))
    again = LiveSession(store, sid, clock=Clock(), transcription_note=note)  # a restart does not repeat it
    again.start()
    assert finalize_session(store, sid)["session"]["notes"].count(note) == 1


def test_the_stage_clock_runs_on_through_a_momentary_flip(store):
    """Clock messages time the shown stage from its start, and a shown 3-second flip to Options does not reset it."""
    from tests.test_venting import COMPLAINTS

    sid = store.create_session(title="Weekly", planned_minutes=20, participants=[
        {"name": "Maya", "role": "coach"}, {"name": "Sam", "role": "coachee"}])["id"]
    sent = []
    clock = Clock()
    live = LiveSession(store, sid, clock=clock, publish=lambda m, a: sent.append(m))
    live.start()
    t = 0.0

    def say(who, seconds, text):
        nonlocal t
        start, t = t + 0.5, t + 0.5 + seconds
        clock.t = live.t0 + t
        live.add_utterance(Utterance(who, start, t, text))
        live.tick()
        return start

    say("Maya", 4, "What would you like to work on today?")
    say("Sam", 5, "I want our weekly team meeting to finish on time.")
    reality = say("Maya", 3, "What is happening at the moment?")
    for k in range(6):
        say("Sam", 25, COMPLAINTS[k])
        if k == 2:  # three options questions at once: the panel switches, then comes back
            say("Maya", 3, "What could you do? What options do you have? What else could you try?")
        else:
            say("Maya", 1, "Mm.")
    shown = [m["stage"] for m in sent if m["type"] == "stage" and "revision" not in m]
    assert shown[-2:] == ["options", "reality"]
    last = [m for m in sent if m["type"] == "clock"][-1]
    assert last["stage"] == "reality"
    assert last["stage_elapsed_s"] == round(t - reality, 1)
