"""Who is the coach? Given by the user, or inferred from how each speaker talks."""

from __future__ import annotations

from collections import defaultdict

from companion.analysis.acts import detect
from companion.analysis.talk import talk_seconds
from companion.analysis.text import parse
from companion.errors import InputError
from companion.model import Role, Utterance

#: Weight of person (you vs I) against questions in the coach score. A coach
#: asks and says "you"; a coachee tells their story and says "I". Questions
#: alone mislead when a coachee asks a few ("should I?") and the coach reflects
#: more than asks, as counsellors often do.
PERSON_WEIGHT = 0.25
_SECOND = {"you", "your", "yours", "yourself"}
_FIRST = {"i", "me", "my", "mine", "myself"}


def coach_scores(utterances: list[Utterance]) -> dict[str, float]:
    """How coach-like each speaker talks: questions and reflections, plus you-minus-I."""
    score: dict[str, float] = defaultdict(float)
    for u in utterances:
        if not u.transcribed or not u.text:
            score[u.speaker] += 0.0
            continue
        p = parse(u.text)
        result = detect(p)
        score[u.speaker] += len(result.questions) + 0.5 * result.reflection
        score[u.speaker] += PERSON_WEIGHT * (sum(t in _SECOND for t in p.tokens) - sum(t in _FIRST for t in p.tokens))
    return score


def assign_roles(
    utterances: list[Utterance], coach: str | None = None, coachee: str | None = None
) -> tuple[dict[str, Role | None], bool]:
    """Map each speaker to a role; returns (roles, coach_was_inferred).

    Two speakers are coach and coachee. In a group the coach (the facilitator's
    seat) talks most like a coach (questions, "you"), the coachee is who talks
    most of the rest, and everyone else is a member.
    """
    talk = talk_seconds(utterances)
    speakers = list(talk)
    for name, flag in ((coach, "--coach"), (coachee, "--coachee")):
        if name is not None and name not in talk:
            known = ", ".join(sorted(speakers))
            raise InputError(f"{flag} {name!r} is not a speaker in this session (speakers: {known})")
    if coach is not None and coach == coachee:
        raise InputError("--coach and --coachee name the same person")

    inferred = False
    if coach is None:
        scores = coach_scores(utterances)
        candidates = [s for s in speakers if s != coachee]
        # Most coach-like; ties go to who talks less (coaches listen more).
        coach = max(candidates, key=lambda s: (scores[s], -talk[s]))
        inferred = True
    rest = [s for s in speakers if s != coach]
    if coachee is None:
        coachee = max(rest, key=lambda s: talk[s]) if rest else None
    roles: dict[str, Role | None] = {}
    for s in speakers:
        roles[s] = Role.COACH if s == coach else Role.COACHEE if s == coachee else Role.MEMBER
    return roles, inferred
