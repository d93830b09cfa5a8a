"""The tree keeps the design's shape (DESIGN.md section 4): a pure core that does no I/O,
thin shells around it, no import circles, and a README layout that matches the files."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"

# The functional core: rules and data, no I/O. `today` and `now` come in as parameters.
CORE = (
    "bot.model",
    "bot.problems",
    "bot.thai",
    "bot.geo",
    "bot.form_fields",
    "bot.form",
    "bot.checks",
    "bot.twins",
    "bot.rollup",
    "bot.deadlines",
    "bot.reminders",
    "bot.config",
    "bot.config_types",
    "bot.config_services",
    "bot.config_rounds",
    "bot.rounds",
    "bot.quarters",
    "bot.sheets",
    "bot.splitting",
    "bot.normalise",
    "bot.presentation",
    "bot.summary",
    "bot.register",
    "bot.dashboard",
    "bot.charts",
    "bot.suggest",
    "bot.finding",
    "bot.layout",
)

# Modules whose business is files, the network, the clock, SQLite, processes or delivery.
IO_MODULES = frozenset(
    {
        "os", "io", "pathlib", "shutil", "tempfile", "glob", "fileinput", "fcntl", "mmap",
        "socket", "ssl", "http", "urllib.request", "requests", "urllib3", "email.mime",
        "smtplib", "sqlite3", "time", "zoneinfo", "subprocess", "signal", "threading",
        "logging", "yaml", "jinja2", "apprise", "gspread", "google", "openpyxl", "filelock",
        "schedule", "zipfile",
    }
)  # fmt: skip


def _module_file(name: str) -> Path | None:
    path = ROOT / Path(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(name: str, *, top_level_only: bool = False) -> set[str]:
    """Every module `name` imports (anywhere in the file, or only at its top level)."""
    file = _module_file(name)
    assert file is not None, name
    tree = ast.parse(file.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from bot import thai` imports the module bot.thai.
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if _module_file(f"{node.module}.{alias.name}")
            )
    return found


def _is_io(module: str) -> bool:
    return any(module == io or module.startswith(io + ".") for io in IO_MODULES)


@pytest.mark.parametrize("module", CORE)
def test_the_core_does_no_io(module: str) -> None:
    """No core module imports, directly or through other bot modules, one that does I/O."""
    seen: set[str] = set()
    todo = [module]
    offenders = []
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for imported in _imports(current):
            if _is_io(imported):
                offenders.append(f"{current} imports {imported}")
            elif imported.startswith("bot.") and imported != "bot":
                if imported not in CORE:
                    offenders.append(f"{current} imports the shell module {imported}")
                todo.append(imported)
    assert offenders == []


def test_the_io_check_catches_a_shell_module() -> None:
    # The walk above must be able to fail: the daemon's scheduler is shell through and through.
    assert any(_is_io(m) for m in _imports("bot.scheduler"))


def _bot_modules() -> list[str]:
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in BOT.rglob("*.py")
    )


def test_no_import_circle_between_bot_modules() -> None:
    graph = {
        m: {i for i in _imports(m, top_level_only=True) if i in _bot_modules() and i != m}
        for m in _bot_modules()
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for module in graph:
        if module not in state:
            assert visit(module) is None


def _layout_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## How the code is laid out\n(.*?)(?=^## )", readme, re.S | re.M)
    assert match, "README.md has no '## How the code is laid out' section"
    return match.group(1)


def test_every_module_the_readme_layout_names_exists() -> None:
    named = set(re.findall(r"`((?:bot|fake_sheets|bench|tests)/[\w/.]*)`", _layout_section()))
    assert len(named) > 20
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert missing == []


def test_every_bot_module_is_in_the_readme_layout() -> None:
    section = _layout_section()
    files = sorted(str(p.relative_to(ROOT)) for p in BOT.rglob("*.py") if p.name != "__init__.py")
    assert [f for f in files if f"`{f}`" not in section] == []
