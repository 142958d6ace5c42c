"""Score the coaching judgement on the labelled sets and write the tables into docs/benchmarks.md.

    .venv/bin/python bench/evaluate.py [--only acts,stages,flags,log,groups] [--no-write] [--verbose]

Each part lives in ``bench/scoring/<part>.py`` with a ``score(verbose) -> str`` that returns a
Markdown section (a heading, the command and its tables). The sections replace what stands
between ``<!-- eval:<part> -->`` and ``<!-- /eval:<part> -->`` in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

PARTS = ("acts", "stages", "flags", "log", "groups")
DOC = ROOT / "docs" / "benchmarks.md"


def write_section(part: str, body: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = f"<!-- eval:{part} -->", f"<!-- /eval:{part} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated parts (default: all that exist)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    ap.add_argument("--verbose", action="store_true", help="print the errors behind each figure")
    args = ap.parse_args()
    parts = args.only.split(",") if args.only else [p for p in PARTS if (ROOT / "bench" / "scoring" /
                                                                           f"{p}.py").exists()]
    for part in parts:
        body = importlib.import_module(f"scoring.{part}").score(args.verbose)
        print(body)
        if not args.no_write:
            write_section(part, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
