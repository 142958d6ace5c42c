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
    live._on_utterance(Utterance("Maya", 1.0, 3.0, "What would you like to get from today?"))
    live._on_utterance(Utterance("Sam", 3.5, 9.0, "I want to stop my meetings running over."))
    assert [u.speaker for u in store.utterances(sid)] == ["Maya", "Sam"]  # nothing waits for the end
    assert ("caption", Audience.EVERYONE) in sent
    assert {a for t, a in sent if t in ("balance", "marks")} == {Audience.COACH}
    assert store.get_session(sid)["status"] == "live"


def test_a_restart_continues_the_same_session(store):
    sid = new_session(store)
    clock = Clock()
    first = LiveSession(store, sid, clock=clock)
    first.start()
    first._on_utterance(Utterance("Maya", 1.0, 3.0, "What would you like to work on?"))
    first._on_utterance(Utterance("Sam", 3.5, 20.0, "My team meetings, they always overrun."))
    clock.t += 60

    again = LiveSession(store, sid, clock=clock)  # the server came back up
    assert again.now() == 60.0  # session time survives: it comes from the stored start
    assert len(again.analyzer.ctx.utterances) == 2 and again.next_index == 2
    again._on_utterance(Utterance("Maya", 61.0, 63.0, "What would a good meeting look like?"))
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
