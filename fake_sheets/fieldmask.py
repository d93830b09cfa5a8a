"""Field masks: the ``fields`` query parameter and the ``fields`` of update requests.

Google accepts several spellings and the recordings use them all:
``sheets.properties.tabColorStyle``, ``sheets/data/rowData/values/note``,
``userEnteredFormat(backgroundColor,textFormat)``, ``gridProperties/rowCount,title``
and ``*``. A parsed mask is a tree: ``{name: subtree}`` where ``None`` means "the whole
field"; the mask ``*`` parses to ``None``.
"""

from __future__ import annotations

import copy
from typing import Any

Mask = dict[str, "Mask | None"]


class MaskError(ValueError):
    """The mask does not parse."""


def parse(text: str) -> Mask | None:
    """Parse a field mask; ``None`` means everything."""
    text = text.replace(" ", "")
    if text in ("", "*"):
        return None
    tree, pos = _parse_list(text, 0)
    if pos != len(text):
        raise MaskError(text)
    return tree


def _parse_list(text: str, pos: int) -> tuple[Mask, int]:
    tree: Mask = {}
    while True:
        path: list[str] = []
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        path = text[start:pos].replace("/", ".").split(".")
        if any(p == "" for p in path):
            raise MaskError(text)
        sub: Mask | None = None
        if pos < len(text) and text[pos] == "(":
            sub, pos = _parse_list(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise MaskError(text)
            pos += 1
        _merge(tree, path, sub)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return tree, pos


def _merge(tree: Mask, path: list[str], sub: Mask | None) -> None:
    node = tree
    for name in path[:-1]:
        child = node.get(name, {})
        if child is None:  # the whole field is already selected
            return
        node[name] = child
        node = child
    last = path[-1]
    if sub is None or node.get(last, {}) is None:
        node[last] = None
        return
    existing = node.setdefault(last, {})
    assert existing is not None
    for key, value in sub.items():
        _merge(existing, [key], value)


def select(obj: Any, mask: Mask | None) -> Any:
    """Keep only what the mask names (a response's ``fields`` parameter).

    As in Google's answers, a message named by the mask stays even when nothing inside
    it survives (``{"sheets": [{"properties": {}}]}``); absent fields stay absent.
    """
    if mask is None:
        return obj
    if isinstance(obj, list):
        return [select(item, mask) for item in obj]
    if not isinstance(obj, dict):
        return obj
    if "*" in mask:
        return obj
    return {key: select(obj[key], sub) for key, sub in mask.items() if key in obj}


def apply(target: dict[str, Any], source: dict[str, Any], mask: Mask | None) -> None:
    """Copy the masked fields from ``source`` into ``target``; masked but absent = cleared."""
    if mask is None or "*" in mask:
        target.clear()
        target.update(copy.deepcopy(source))
        return
    for key, sub in mask.items():
        if sub is None:
            if key in source and source[key] is not None:
                target[key] = copy.deepcopy(source[key])
            else:
                target.pop(key, None)
            continue
        child = target.get(key)
        child = dict(child) if isinstance(child, dict) else {}
        src_child = source.get(key)
        apply(child, src_child if isinstance(src_child, dict) else {}, sub)
        if child:
            target[key] = child
        else:
            target.pop(key, None)


def top_level(mask: Mask | None) -> set[str] | None:
    """The top-level names a mask touches (``None`` = all)."""
    return None if mask is None else set(mask)
