"""Replay in time order, present in the order given (a transcript's input order).

The analyzer needs utterances by start time (talk, turns and stages are read
as the session unfolds), but a transcript's cues may be listed out of order
(a long utterance resumes after the other person's "mm-hmm"), and the report
must list its utterances one to one with the input cues, in input order.
So a file is replayed in ``replay_order`` and the finished report is turned
back with ``present_in_order``.

Every reference a report makes to an utterance is its index into
``report["utterances"]``, written under one of these keys, wherever it sits
(the utterance rows, commitments, flags, nudges, learning-log sources and
their quotes, a group's turns): ``index`` and ``confirmed_by`` (one index)
and ``utterances`` (a list of indexes). ``present_in_order`` moves the rows
and rewrites every such reference, so each still points at the same text.
"""

from __future__ import annotations

from typing import Any

from companion.model import Utterance

#: Keys whose value is one utterance index.
INDEX_KEYS = frozenset({"index", "confirmed_by"})
#: Keys whose value is a list of utterance indexes.
INDEX_LIST_KEYS = frozenset({"utterances"})


def replay_order(utterances: list[Utterance]) -> list[int]:
    """Positions of ``utterances`` by start time (stable: ties keep their order)."""
    return sorted(range(len(utterances)), key=lambda i: utterances[i].start)


def present_in_order(report: dict[str, Any], order: list[int]) -> dict[str, Any]:
    """Reorder, in place, a report built from a replay in ``order`` (see ``replay_order``).

    The report's k-th utterance is the input's ``order[k]``-th: it is listed
    there, and every reference to index k becomes ``order[k]``. Returns the report.
    """
    rows = report.get("utterances") or []
    identity = list(range(len(rows)))
    if sorted(order) != identity:
        raise ValueError(f"order is not a permutation of the report's {len(rows)} utterances")
    if order == identity:
        return report
    by_input: list[dict[str, Any]] = [{} for _ in rows]
    for replayed, row in enumerate(rows):
        by_input[order[replayed]] = row
    report["utterances"] = by_input
    _remap(report, order)
    return report


def _remap(value: Any, new: list[int]) -> None:
    """Rewrite every utterance reference below ``value`` through ``new`` (old index -> new index)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in INDEX_KEYS and _is_index(item):
                value[key] = new[item]
            elif key in INDEX_LIST_KEYS and isinstance(item, list) and item and all(_is_index(i) for i in item):
                value[key] = [new[i] for i in item]
            else:
                _remap(item, new)
    elif isinstance(value, list):
        for item in value:
            _remap(item, new)


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
