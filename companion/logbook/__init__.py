"""The learning log: drafted from the analysis, edited and owned by the coachee.

- ``drafter`` (with ``goal``, ``actions``): the draft, from the report's marks; the action plan is
  placed exchange by exchange (``prompts``: what a coach's prompt asks about; ``details``: what the
  exchange says about a step; ``restate``: one action per commitment; ``coach_plan``: a coach's
  summary the coachee agreed to; ``people``: helpers and the people an action is about);
- ``dates``: spoken deadlines resolved against the session date;
- ``validation``: what a saved log may hold;
- ``book``: versions, approval, sharing and the coach's view (SQL in ``store/logs.py``);
- ``followup``: the report-back on the previous plan;
- ``export``: Markdown and a printable page.
"""

from companion.logbook.book import LogBook, LogConflict, LogNotFound, LogStateError, coach_view
from companion.logbook.dates import TimePhrase, time_phrases, when_of
from companion.logbook.drafter import KEY_QUESTIONS, MAX_REALITY, draft, draft_for
from companion.logbook.export import to_html, to_markdown
from companion.logbook.goal import SMART_KEYS
from companion.logbook.items import log_owners, source_of
from companion.logbook.validation import clean_log

__all__ = ["KEY_QUESTIONS", "MAX_REALITY", "SMART_KEYS", "LogBook", "LogConflict", "LogNotFound", "LogStateError",
           "TimePhrase", "clean_log", "coach_view", "draft", "draft_for", "log_owners", "source_of", "time_phrases",
           "to_html", "to_markdown", "when_of"]
