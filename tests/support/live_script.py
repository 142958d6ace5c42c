"""A scripted live session: utterances and the session clock driven by a test, the pages real.

A long session plays in a few seconds of wall time. The test server runs the
real app in-process (``tests.support.server``); its ``LiveManager`` reads the
time from ``manager.clock``, which ``ScriptedSession`` replaces with a clock it
moves. Utterances go in through ``LiveSession.add_utterance`` with session
times, exactly where a speech stream delivers them, and ``tick`` runs the
once-a-second analysis at the scripted time, so what the browsers receive is
what a real call of that length would send them. No route is added to the
server: all of this happens on the server's event loop, from the test.

    script = ScriptedSession(server, sid)   # before any page connects
    ...pages join...
    script.say("Ann", 3.0, "What would you like to work on?")  # 3 s long, after the last line
    script.run_to(240)                      # ticks up to 4 minutes in
"""

from __future__ import annotations

from companion.model import Utterance
from companion.server.live import manager


class ManualClock:
    """Wall-clock seconds that move only when told."""

    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


class ScriptedSession:
    """One live session of a running test server, played from a script instead of speech."""

    def __init__(self, server, sid: str, gap_s: float = 0.5, tick_s: float = 1.0):
        self.server = server
        self.sid = sid
        self.gap_s = gap_s
        self.tick_s = tick_s
        self.clock = ManualClock()
        m = manager(server.app)
        m.clock = self.clock  # before the session is made: it keeps the clock it was made with
        self.live = server.call(m.session, sid)
        assert self.live.clock is self.clock, "the live session existed before the script took its clock"
        server.call(self.live.start)  # session time 0 is now; a page joining later keeps it
        self.t = 0.0  # session time the script has reached
        self.indexes: list[int] = []

    @property
    def now(self) -> float:
        return self.t

    def run_to(self, t: float) -> None:
        """Move the session clock to ``t``, ticking every ``tick_s`` on the way (flags, nudges, the clock)."""
        def step():
            while self.t < t:
                self.t = min(t, self.t + self.tick_s)
                self.clock.t = self.live.t0 + self.t
                self.live.tick()
        self.server.call(step)

    def say(self, speaker: str, seconds: float, text: str) -> int:
        """``speaker`` says ``text`` for ``seconds`` after a short gap; returns the utterance's index."""
        start = self.t + self.gap_s
        self.run_to(start + seconds)
        index = self.server.call(self._add, Utterance(speaker, start, start + seconds, text))
        self.indexes.append(index)
        return index

    def _add(self, utt: Utterance) -> int:
        index = self.live.next_index
        self.live.add_utterance(utt)
        self.live.tick()  # the clock message for this moment, after the utterance's events
        return index
