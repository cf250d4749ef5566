"""docs/cli.md describes every ``openqi`` verb and option, each in the verb's own section."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from openqi.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
DOCS = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")


def _verbs() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("openqi has no verbs")


def _section(verb: str) -> str:
    """The text from ``## `openqi VERB``` to the next second-level heading."""
    match = re.search(
        rf"^## `openqi {re.escape(verb)}`\n(.*?)(?=^## |\Z)", DOCS, re.M | re.S
    )
    assert match, f"docs/cli.md has no section ## `openqi {verb}`"
    return match.group(1)


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [
        flag
        for action in parser._actions
        for flag in action.option_strings
        if flag not in ("-h", "--help")
    ]


def test_the_parser_has_the_verbs_we_expect() -> None:
    assert {"spc", "funnel", "spc-batch", "demo"} <= set(_verbs())


@pytest.mark.parametrize("verb", sorted(_verbs()))
def test_every_verb_is_in_the_summary_and_has_a_section(verb: str) -> None:
    summary = DOCS.split("\n## ", 1)[0]
    assert f"openqi {verb} " in summary, verb
    _section(verb)


@pytest.mark.parametrize("verb", sorted(_verbs()))
def test_every_option_and_choice_is_in_its_verbs_section(verb: str) -> None:
    section = _section(verb)
    parser = _verbs()[verb]
    for flag in _options(parser):
        assert f"`{flag}" in section, (verb, flag)
    for action in parser._actions:
        for choice in action.choices or ():
            if not isinstance(action, argparse._SubParsersAction):
                assert str(choice) in section, (verb, action.dest, choice)


def test_top_level_options_are_documented() -> None:
    for flag in _options(build_parser()):
        assert f"openqi {flag}" in DOCS, flag
