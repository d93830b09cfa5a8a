"""Read the admin's YAML file into a `Config`, and resolve what depends on the machine.

This is the shell around `bot.config`: it reads the file, parses YAML (B.E.-aware dates,
duplicate keys refused), validates it against the models and turns every mistake into one
`ConfigError` that names the file, line, YAML path, what was found and what is expected, so
an admin can fix it without reading code. It also owns what the pure models must not touch:
the time zone database, the clock, and paths relative to the config file.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Hashable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError

from bot import CONFIG_ENV, DEFAULT_CONFIG_PATH
from bot.config import Config
from bot.config_types import SettingError
from bot.errors import ConfigError

# A config expands to a few thousand values at most (878 districts with their channels);
# aliases that expand past this are a mistake or a "billion laughs" bomb.
MAX_VALUES = 100_000


class _Loader(yaml.SafeLoader):
    """YAML without implicit dates or base-60 numbers, refusing a key given twice.

    PyYAML would turn `2568-02-29` into a C.E. date and fail (2568 is no leap year) or
    accept `2568-13-45` only to crash; as text, our own B.E.-aware parser reads it. YAML
    1.1 reads `9:30` as the number 570 (base 60): here it stays the text "9:30", as YAML
    1.2 has it. A key given twice would silently keep only the last value.
    """


class _NoColon:
    """A resolver pattern that never matches text with a colon (no base-60 numbers)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def match(self, value: str) -> re.Match[str] | None:
        return None if ":" in value else self.pattern.match(value)


_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, _NoColon(rx) if tag in _NUMBERS else rx)
        for tag, rx in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping_without_duplicates(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "a setting's name must be a word, not a list or a mapping",
                key_node.start_mark,
            )  # fmt: skip
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the setting {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _mapping_without_duplicates,
)


def local_today(config: Config, override: date | None = None) -> date:
    """`override` if given (the CLI's --today), else today in the config's time zone."""
    if override is not None:
        return override
    return datetime.now(ZoneInfo(config.timezone)).date()


def config_path(config: Config, name: str) -> Path:
    """A path from the config (state file, outbox, templates, key file), relative to the
    config file's folder unless absolute; `~` is the user's home."""
    path = Path(name).expanduser()
    return path if path.is_absolute() else Path(config.base_dir) / path


def state_path(config: Config, name: str) -> Path:
    """A path of the bot's own files (state file, outbox, last reads): relative ones are
    inside `state_dir` when the config names one, else beside the config file."""
    path = Path(name).expanduser()
    if path.is_absolute() or config.state_dir is None:
        return config_path(config, name)
    return config_path(config, config.state_dir) / path


def workbook_path(config: Config, file: str) -> Path:
    """A workbook's path: relative ones are inside `xlsx.folder`, itself relative to the
    config file's folder."""
    path = Path(file).expanduser()
    if not path.is_absolute():
        path = Path(config.base_dir) / Path(config.xlsx.folder).expanduser() / path
    return path


def load_config(path: str | os.PathLike[str] | None = None, *, provision: bool = False) -> Config:
    """Read and validate the YAML file at `path` (default: $SOFTPOWER_CONFIG or config.yaml);
    `provision` accepts `key: new` (spreadsheets `softpower-bot provision` is to make)."""
    chosen = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)
    try:
        text = chosen.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            f"{chosen}: config file not found; copy config.example.yaml to {chosen} "
            "and edit it, or pass --config PATH"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"{chosen}: the file is not UTF-8 text; save it as UTF-8 (in Notepad: "
            "Save As, Encoding UTF-8)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{chosen}: cannot read the config file ({exc.strerror})") from None
    return parse_config(
        text, source=str(chosen), base_dir=chosen.resolve().parent, provision=provision
    )


def parse_config(
    text: str, *, source: str = "config", base_dir: Path | None = None, provision: bool = False
) -> Config:
    """Validate YAML text; errors name `source`, the YAML path and the line."""
    try:
        root = yaml.compose(text, Loader=_Loader)
        _check_size(root, source)
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source}{where}: not valid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(
            f"{source}: not valid YAML: lists or mappings nested thousands of levels deep; "
            "a config needs only a few"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings (key: value) at the top level")
    try:
        config = Config.model_validate(data, context={"provision": provision})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source, root)) from None
    _check_timezone(config, source, root)
    config = config.model_copy(update={"base_dir": str(base_dir or Path.cwd())})
    _check_folders(config, source, root)
    _check_same_workbooks(config, source, root)
    return config


def _check_size(root: yaml.Node | None, source: str) -> None:
    """Refuse aliases that expand past MAX_VALUES values, or that contain themselves."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ConfigError(
                f"{source}:{node.start_mark.line + 1}: not valid YAML: an alias (*name) "
                "refers to the list or mapping that contains it"
            )
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(v) for v in node.value)
        open_nodes.discard(key)
        sizes[key] = total
        if total > MAX_VALUES:
            raise ConfigError(
                f"{source}: not valid YAML: its anchors and aliases (&name, *name) expand to "
                f"more than {MAX_VALUES:,} values; write the settings out instead of "
                "repeating aliases"
            )
        return total

    if root is not None:
        size(root)


def _check_folders(config: Config, source: str, root: yaml.Node | None) -> None:
    """Refuse a templates folder that is not there (or a broken template in it), and an
    outbox that is a file: better at start than at 09:00 on a deadline day."""
    rem = config.reminders
    if rem.templates:
        folder = config_path(config, rem.templates)
        line = _line_of(root, ["reminders", "templates"])
        where = f"{source}:{line}" if line else source
        if not folder.is_dir():
            raise ConfigError(
                f"{where}: reminders.templates: the folder {folder} does not exist; create "
                "it with your templates, or remove the setting to use the built-in ones"
            )
        problem = _template_problem(folder)
        if problem:
            raise ConfigError(f"{where}: reminders.templates: {problem}")
    outbox = config_path(config, rem.outbox)
    if outbox.exists() and not outbox.is_dir():
        line = _line_of(root, ["reminders", "outbox"])
        where = f"{source}:{line}" if line else source
        raise ConfigError(
            f"{where}: reminders.outbox: {outbox} is a file, not a folder; the default channel "
            "writes one file per message into this folder: move the file away or name "
            "another folder"
        )


def _check_same_workbooks(config: Config, source: str, root: yaml.Node | None) -> None:
    """Refuse one workbook named two ways (``./a.xlsx`` and ``a.xlsx``, or by its full
    path): the bot would take it for two spreadsheets, and its own write into one would
    look like a person's edit of the other in every cycle that writes."""
    if config.backend != "xlsx":
        return
    refs: list[tuple[list[str | int], str | None]] = [(["national"], config.national.file)]
    if config.archive is not None:
        refs.append((["archive"], config.archive.file))
    for i, prov in enumerate(config.provinces):
        refs.append((["provinces", i], prov.file))
        refs += [(["provinces", i, "districts", j], d.file)
                 for j, d in enumerate(prov.districts or [])]  # fmt: skip
    named: dict[Path, tuple[str, list[str | int]]] = {}
    for loc, file in refs:
        if not file:
            continue
        # Spelling only (., .., relative or full): a broken link is the backend's to name.
        path = Path(os.path.abspath(workbook_path(config, file)))
        first, first_loc = named.setdefault(path, (file, loc))
        if first != file:
            line = _line_of(root, [*loc, "file"])
            where = f"{source}:{line}" if line else source
            raise ConfigError(
                f"{where}: {_yaml_path([*loc, 'file'])}: {file!r} is the file {first!r} of "
                f"{_yaml_path([*first_loc, 'file'])}: write it the same way in both places"
            )


def _template_problem(folder: Path) -> str | None:
    """The first template in `folder` that Jinja2 cannot parse, with its line, or None."""
    import jinja2  # noqa: PLC0415 (only configs with their own templates pay for it)

    env = jinja2.Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True)
    for path in sorted(folder.glob("*.j2")):
        try:
            env.parse(path.read_text(encoding="utf-8"))
        except jinja2.TemplateSyntaxError as exc:
            return (
                f"{path}:{exc.lineno}: the template has an error ({exc.message}); fix it, or "
                "remove the file to use the built-in template"
            )
        except (OSError, UnicodeDecodeError) as exc:
            return f"{path}: cannot read the template ({exc}); save it as UTF-8 text"
    return None


def _check_timezone(config: Config, source: str, root: yaml.Node | None) -> None:
    """Refuse a time zone the machine's zone database does not know."""
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        line = _line_of(root, ["timezone"])
        where = f"{source}:{line}" if line else source
        raise ConfigError(
            f"{where}: timezone: unknown time zone {config.timezone!r}; use e.g. Asia/Bangkok"
        ) from None


def _describe(exc: ValidationError, source: str, root: yaml.Node | None) -> str:
    errors = exc.errors()
    missing = [e for e in errors if e["type"] == "missing"]
    if missing and len(missing) == len(errors):
        # An empty or half-written file: name every required setting at once.
        paths = [_yaml_path([p for p in e["loc"] if not _is_pydantic_tag(p)]) for e in missing]
        line = _line_of(root, [p for p in missing[0]["loc"][:-1] if not _is_pydantic_tag(p)])
        where = f"{source}:{line}" if line else source
        noun = "this setting is" if len(paths) == 1 else "these settings are"
        return f"{where}: {', '.join(paths)}: {noun} required (see config.example.yaml)"
    first = errors[0]
    loc = [part for part in first["loc"] if not _is_pydantic_tag(part)]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, SettingError):
        loc += list(cause.loc)
    path = _yaml_path(loc)
    line = _line_of(root, loc)
    msg = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "missing":
        msg = "this setting is required"
    elif first["type"] == "extra_forbidden":
        hint = _closest_setting(loc)
        msg = "unknown setting" + (
            f"; did you mean {hint!r}?"
            if hint
            else " (check the spelling against config.example.yaml)"
        )
    elif "input" in first and first["type"] not in {"value_error", "assertion_error"}:
        msg = f"{msg}, got {first['input']!r}"
    where = f"{source}:{line}" if line else source
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {path + ': ' if path else ''}{msg}{more}"


def _closest_setting(loc: list[str | int]) -> str | None:
    model: Any = Config
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        annotation = getattr(field, "annotation", None)
        args = getattr(annotation, "__args__", ())
        model = next((a for a in (annotation, *args) if hasattr(a, "model_fields")), None)
        if model is None:
            return None
    if not hasattr(model, "model_fields"):
        return None
    names = [n for n in model.model_fields if n != "base_dir"]
    found = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.7)
    return found[0] if found else None


def _is_pydantic_tag(part: object) -> bool:
    # pydantic puts union/validator tags such as "function-before[...]" in locations.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _yaml_path(loc: list[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(node: yaml.Node | None, loc: list[str | int]) -> int | None:
    """The line of the setting at `loc`: the key's own line, where the admin looks."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                return line
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
