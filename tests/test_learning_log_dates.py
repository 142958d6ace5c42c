"""Spoken deadlines, found in a clause and resolved against the session date (dateparser)."""

from __future__ import annotations

from datetime import date

import pytest

from companion.logbook import when_of

WEDNESDAY = date(2025, 3, 12)


@pytest.mark.parametrize("text, phrase, due", [
    ("I'll talk to Tom on Thursday", "on Thursday", "2025-03-13"),
    ("Thursday lunchtime", "Thursday lunchtime", "2025-03-13"),
    ("talk to Tom the fourteenth of March", "the fourteenth of March", "2025-03-14"),
    ("send a three item agenda before next Tuesday's meeting", "before next Tuesday's meeting", "2025-03-18"),
    ("message her on the thirteenth, the day before", "on the thirteenth", "2025-03-13"),
    ("by Friday the twenty-first", "by Friday the twenty-first", "2025-03-21"),
    ("write it up on the eighteenth or nineteenth", "on the eighteenth or nineteenth", "2025-03-18"),
    ("I'll send it by Friday", "by Friday", "2025-03-14"),
    ("finish it by the 3rd", "by the 3rd", "2025-04-03"),
    ("have it done by 2 April", "by 2 April", "2025-04-02"),
    ("write to them tomorrow", "tomorrow", "2025-03-13"),
    ("sort it by the end of the month", "by the end of the month", "2025-03-31"),
    ("by the end of next week", "by the end of next week", "2025-03-21"),
    ("by the end of June", "by the end of June", "2025-06-30"),
    ("within two weeks", "within two weeks", "2025-03-26"),
    ("from the first of April", "from the first of April", "2025-04-01"),
    ("start next week", "next week", "2025-03-17"),
    ("by Easter", "by Easter", None),
    ("before our next session", "before our next session", None),
    ("right away", "right away", None),
])
def test_spoken_dates(text, phrase, due):
    found = when_of(text, WEDNESDAY)
    assert found is not None, text
    assert (found.text, found.due) == (phrase, due)


def test_plain_numbers_and_first_things_are_not_dates():
    assert when_of("I have 3 reports to write", WEDNESDAY) is None
    assert when_of("the first one is the hardest", WEDNESDAY) is None


def test_a_deadline_wins_over_a_mention():
    assert when_of("for next week's meeting, by Friday", WEDNESDAY).text == "by Friday"


def test_without_a_session_date_nothing_is_resolved():
    found = when_of("by Friday", None)
    assert found.text == "by Friday" and found.due is None
