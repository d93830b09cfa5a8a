"""The README stays true: its commands are the ones CI runs, its tables match the code."""

from __future__ import annotations

import re
from pathlib import Path

from bot.form_fields import FIELDS
from bot.problems import KINDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block is not None and README.index("```sh") < 40
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_every_problem_code_is_documented_with_its_severity() -> None:
    for code, kind in KINDS.items():
        assert re.search(rf"\| `{code}` \| {kind.severity} \|", README), code


def test_every_field_and_default_header_is_documented() -> None:
    for spec in FIELDS:
        assert f"| {spec.key} | {spec.header} | {'yes' if spec.required else 'no'} |" in README
