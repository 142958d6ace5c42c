"""The README documents every command and option a user can type."""

import argparse
from pathlib import Path

from companion.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str = "companion"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{prefix} {name}")
    yield prefix, parser


def test_every_command_and_option_is_in_the_readme():
    missing = []
    for command, parser in _commands(build_parser()):
        if command != "companion" and command not in README:
            missing.append(command)
        for action in parser._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help" and opt not in README:
                    missing.append(f"{command} {opt}")
    assert missing == []


def test_architecture_names_every_part_of_the_package():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = Path(__file__).resolve().parent.parent / "companion"
    parts = [p.stem for p in package.iterdir()
             if (p.is_dir() and not p.name.startswith("_") and p.name != "samples")
             or (p.suffix == ".py" and not p.name.startswith("__"))]
    assert [p for p in parts if p not in doc] == []
