"""Who is on which side of a session: the one definition of "coach side".

The coach side is whoever leads the session, a coach in a pair or a
facilitator in a group; it gets the private panel, the nudges and the review.
The coachee side is whoever brings an issue: the coachee in a pair, each
member in a group. Every part asks here rather than listing roles itself.
"""

from __future__ import annotations

from companion.model import Role

#: The roles that lead a session and get the coaching feedback.
COACH_SIDE: frozenset[Role] = frozenset({Role.COACH, Role.FACILITATOR})
#: The roles that bring an issue and own a learning log.
COACHEE_SIDE: frozenset[Role] = frozenset({Role.COACHEE, Role.MEMBER})


def _as_role(role: Role | str | None) -> Role | None:
    if role is None or isinstance(role, Role):
        return role
    try:
        return Role(role)
    except ValueError:
        return None


def is_coach_side(role: Role | str | None) -> bool:
    """True for a coach or a facilitator (a role or its string form)."""
    return _as_role(role) in COACH_SIDE


def is_coachee_side(role: Role | str | None) -> bool:
    """True for a coachee or a group member (a role or its string form)."""
    return _as_role(role) in COACHEE_SIDE
