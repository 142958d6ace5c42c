"""bench/whisperlive.py scores both systems from what a page shows; these check that scoring on known screens."""

from __future__ import annotations

import pytest

from bench.whisperlive import Screen, score, wl_screen_update

TRUTH = [("A", 1.0, 3.0, "What would you like to work on today?"),
         ("B", 4.0, 9.0, "I want to stop answering email every evening."),
         ("A", 10.0, 11.0, "Why now?")]


def screens(events):
    """Screens from (time, speaker, id, text, final) events, as the companion's captions arrive."""
    out = {"A": Screen(), "B": Screen()}
    for t, who, uid, text, final in events:
        s = out[who]
        if final:
            s.interims.pop(uid, None)
            s.finals[uid] = text
        else:
            s.interims[uid] = text
        s.snap(t)
    return out


def test_final_and_first_visible_are_measured_from_the_lines_end_and_start():
    result = score(TRUTH, screens([
        (2.0, "A", "a1", "What would", False),
        (3.6, "A", "a1", "What would you like to work on today?", True),
        (6.5, "B", "b1", "I want to", False),
        (8.0, "B", "b1", "I want to stop answering", False),
        (9.9, "B", "b1", "I want to stop answering email every evening.", True),
        (11.4, "A", "a2", "Why now?", True),
    ]))
    assert result.finals == pytest.approx([0.6, 0.4, 0.9])  # A's lines, then B's
    assert result.visible == pytest.approx([1.0, 1.4, 2.5])
    assert (result.long_total, result.long_early, result.never_final) == (1, 1, 0)
    assert result.hyps == ["what would you like to work on today why now",
                           "i want to stop answering email every evening"]


def test_a_line_whose_words_are_never_final_is_counted_not_timed():
    result = score(TRUTH, screens([
        (3.5, "A", "a1", "What would you like to work on today?", True),
        (7.0, "B", "b1", "I want to stop", False),  # shown, never made final
        (11.2, "A", "a2", "Why now?", True),
    ]))
    assert result.never_final == 1
    assert result.hyps[1] == "" and result.shown[1] == "i want to stop"  # WER of finals and of what was shown
    assert result.finals == pytest.approx([0.5, 0.2])
    assert result.visible == pytest.approx([2.5, 1.2, 3.0])


def test_words_of_a_line_not_yet_begun_do_not_count_as_shown_early():
    # "now" appears in A's first caption by mistake; it must not make the later line "Why now?" visible at 2 s.
    result = score(TRUTH, screens([
        (2.0, "A", "a1", "What would you like now", True),
        (11.5, "A", "a2", "Why now?", True),
    ]))
    assert result.visible[-1] == pytest.approx(1.5)


def test_whisperlive_segments_build_the_screen_as_its_client_shows_them():
    s = Screen()
    wl_screen_update(s, [{"start": "0.0", "end": "2.0", "text": " What would", "completed": False}])
    assert (list(s.finals.values()), list(s.interims.values())) == ([], [" What would"])
    done = {"start": "0.0", "end": "2.5", "text": " What would you like?", "completed": True}
    wl_screen_update(s, [done, {"start": "3.0", "end": "4.0", "text": " I want", "completed": False}])
    wl_screen_update(s, [done])  # completed segments are sent again: they are kept once
    assert list(s.finals.values()) == [" What would you like?"] and not s.interims
