"""Who is the coach? Given by the user, or inferred: the coach asks most questions."""

from __future__ import annotations

from collections import Counter, defaultdict

from companion.analysis.acts import is_question
from companion.errors import InputError
from companion.model import Role, Utterance


def assign_roles(
    utterances: list[Utterance], coach: str | None = None, coachee: str | None = None
) -> tuple[dict[str, Role | None], bool]:
    """Map each speaker to a role; returns (roles, coach_was_inferred).

    Two speakers are coach and coachee. In a group the coach (the facilitator's
    seat) asks most questions, the coachee is who talks most of the rest, and
    everyone else is a member.
    """
    talk: dict[str, float] = defaultdict(float)
    for u in utterances:
        talk[u.speaker] += u.duration
    speakers = list(talk)
    for name, flag in ((coach, "--coach"), (coachee, "--coachee")):
        if name is not None and name not in talk:
            known = ", ".join(sorted(speakers))
            raise InputError(f"{flag} {name!r} is not a speaker in this session (speakers: {known})")
    if coach is not None and coach == coachee:
        raise InputError("--coach and --coachee name the same person")

    inferred = False
    if coach is None:
        questions = Counter(u.speaker for u in utterances if is_question(u.text))
        candidates = [s for s in speakers if s != coachee]
        # Most questions; ties go to who talks less (coaches listen more).
        coach = max(candidates, key=lambda s: (questions[s], -talk[s]))
        inferred = True
    rest = [s for s in speakers if s != coach]
    if coachee is None:
        coachee = max(rest, key=lambda s: talk[s]) if rest else None
    roles: dict[str, Role | None] = {}
    for s in speakers:
        roles[s] = Role.COACH if s == coach else Role.COACHEE if s == coachee else Role.MEMBER
    return roles, inferred
