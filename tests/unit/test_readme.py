"""The README explains the repository on its own: its links stay inside it, its tables name every command."""

import argparse
import re
from pathlib import Path

from api.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "ercp") -> list[str]:
    found: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _subcommands(sub, f"{prefix} {name}")
                found += nested or [f"{prefix} {name}"]
    return found


def _make_targets() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony, "the Makefile declares its targets in one .PHONY line"
    return phony.group(1).split()


def test_readme_links_only_files_inside_the_repository() -> None:
    links = re.findall(r"\]\(([^)#\s]+)", README)
    local = [link for link in links if "://" not in link]
    assert local, "the README links no file of the repository"
    for link in local:
        target = (ROOT / link).resolve()
        assert target.is_relative_to(ROOT), f"{link} points outside the repository"
        assert target.exists(), f"{link} does not exist"
    # The planning folder beside a developer's checkout: a user's clone has none, so the README never names it.
    assert str(Path("..") / "shared") not in README


def test_readme_lists_every_ercp_subcommand() -> None:
    commands = _subcommands(build_parser())
    assert "ercp serve" in commands
    assert [c for c in commands if f"`{c}" not in README] == []


def test_readme_lists_every_make_target() -> None:
    targets = _make_targets()
    assert {"demo", "test"} <= set(targets)
    assert [t for t in targets if f"`make {t}" not in README] == []


def test_first_screen_gives_exactly_the_two_newcomer_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.DOTALL)
    assert first_block, "the README opens with a shell block"
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    assert README.index(first_block.group(0)) < 400, "the two commands are on the first screen"
