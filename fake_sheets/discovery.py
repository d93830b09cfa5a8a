"""Every request the fake receives is checked against Google's own schemas.

The Sheets v4 and Drive v3 discovery documents ship inside the ``google-api-python-client``
package (``googleapiclient/discovery_cache/documents``); they list each method's query
parameters and the JSON schema of its body. As on the real API, an unknown field, an
unknown query parameter or a value of the wrong type is a 400 whose message names it:

* ``Invalid JSON payload received. Unknown name "x" at 'requests[0].update_cells': Cannot
  find field.``
* ``Invalid value at 'requests[0].update_cells.start.row_index' (TYPE_INT32), "abc"``

Drive v3 is lenient with query parameters (it ignores unknown ones), so of a Drive request
the body, the required query parameters and (in `drive_changes`) the ``fields`` mask of the
answer, against the response's schema, are checked.

Field paths use the proto (snake_case) names, as Google prints them; both JSON spellings of
a field (``rowIndex`` and ``row_index``) are accepted. Only the shape is checked here; what
the values mean is the handlers' business.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

from .errors import ApiError, invalid_value, unknown_field

# The fake's request kinds -> (document, method id, field name the body binds to).
METHODS: dict[str, tuple[str, str, str]] = {
    "spreadsheets.get": ("sheets", "spreadsheets.get", ""),
    "spreadsheets.create": ("sheets", "spreadsheets.create", "spreadsheet"),
    "spreadsheets.batchUpdate": ("sheets", "spreadsheets.batchUpdate", ""),
    "spreadsheets.getByDataFilter": ("sheets", "spreadsheets.getByDataFilter", ""),
    "developerMetadata.get": ("sheets", "spreadsheets.developerMetadata.get", ""),
    "developerMetadata.search": ("sheets", "spreadsheets.developerMetadata.search", ""),
    "values.get": ("sheets", "spreadsheets.values.get", ""),
    "values.batchGet": ("sheets", "spreadsheets.values.batchGet", ""),
    "values.batchGetByDataFilter": ("sheets", "spreadsheets.values.batchGetByDataFilter", ""),
    "values.update": ("sheets", "spreadsheets.values.update", "data"),
    "values.append": ("sheets", "spreadsheets.values.append", "data"),
    "values.batchUpdate": ("sheets", "spreadsheets.values.batchUpdate", ""),
    "values.batchUpdateByDataFilter": (
        "sheets", "spreadsheets.values.batchUpdateByDataFilter", ""),
    "values.clear": ("sheets", "spreadsheets.values.clear", ""),
    "values.batchClear": ("sheets", "spreadsheets.values.batchClear", ""),
    "values.batchClearByDataFilter": ("sheets", "spreadsheets.values.batchClearByDataFilter", ""),
    "drive.files.get": ("drive", "files.get", "file"),
    "drive.files.list": ("drive", "files.list", ""),
    "drive.files.create": ("drive", "files.create", "file"),
    "drive.files.delete": ("drive", "files.delete", ""),
    "drive.permissions.list": ("drive", "permissions.list", ""),
    "drive.permissions.create": ("drive", "permissions.create", "permission"),
    "drive.permissions.update": ("drive", "permissions.update", "permission"),
    "drive.changes.list": ("drive", "changes.list", ""),
    "drive.changes.getStartPageToken": ("drive", "changes.getStartPageToken", ""),
    "sheets.copyTo": ("sheets", "spreadsheets.sheets.copyTo", ""),
}  # fmt: skip
_DOCUMENTS = {"sheets": "sheets.v4.json", "drive": "drive.v3.json"}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_SCALAR_TYPES = {"int32": "TYPE_INT32", "double": "TYPE_DOUBLE", "float": "TYPE_FLOAT",
                 "int64": "TYPE_INT64", "uint32": "TYPE_UINT32"}  # fmt: skip


class DiscoveryMissing(RuntimeError):
    """google-api-python-client (whose discovery documents the fake needs) is not installed."""


def documents_folder() -> Path:
    """Where google-api-python-client keeps its discovery documents."""
    spec = importlib.util.find_spec("googleapiclient")
    if spec is None or not spec.submodule_search_locations:
        raise DiscoveryMissing(
            "fake_sheets validates requests against the discovery documents in "
            "google-api-python-client: pip install google-api-python-client"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "discovery_cache" / "documents"


@functools.cache
def document(name: str) -> dict[str, Any]:
    """A discovery document (``sheets`` or ``drive``), parsed once."""
    path = documents_folder() / _DOCUMENTS[name]
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _method(doc: dict[str, Any], method_id: str) -> dict[str, Any]:
    resources: dict[str, Any] = doc
    *path, name = method_id.split(".")
    for part in path:
        resources = resources["resources"][part]
    found: dict[str, Any] = resources["methods"][name]
    return found


def snake(name: str) -> str:
    """A JSON (lowerCamel) field name as the proto names it: rowIndex -> row_index."""
    return _CAMEL.sub("_", name).lower()


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Validator:
    """Checks JSON against the schemas of one discovery document."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.schemas: dict[str, Any] = doc["schemas"]
        # schema id -> {json name or proto name: property}
        self._props: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}

    def props(self, ref: str) -> dict[str, tuple[str, dict[str, Any]]]:
        found = self._props.get(ref)
        if found is None:
            found = {}
            for name, prop in self.schemas[ref].get("properties", {}).items():
                found[name] = (name, prop)
                found.setdefault(snake(name), (name, prop))
            self._props[ref] = found
        return found

    def message(self, value: Any, ref: str, path: str) -> None:
        if not isinstance(value, dict):
            raise invalid_value(path, f"type.googleapis.com/google.apps.sheets.v4.{ref}", value)
        props = self.props(ref)
        for key, item in value.items():
            known = props.get(key)
            if known is None:
                raise unknown_field(key, path) if path else _unknown_at_root(key)
            name, prop = known
            if item is not None:  # proto3 JSON: null is the field's default
                self.field(item, prop, _join(path, snake(name)))

    def field(self, value: Any, prop: dict[str, Any], path: str) -> None:
        if "$ref" in prop:
            self.message(value, prop["$ref"], path)
            return
        kind = prop.get("type")
        if kind == "array":
            items = prop.get("items", {})
            if not isinstance(value, list):
                raise invalid_value(path, _list_type(items), value)
            for index, item in enumerate(value):
                if item is not None or items.get("type") != "any":
                    self.field(item, items, f"{path}[{index}]")
        elif kind == "object":
            extra = prop.get("additionalProperties")
            if not isinstance(value, dict):
                raise invalid_value(path, "TYPE_MESSAGE", value)
            if extra is not None:
                for key, item in value.items():
                    self.field(item, extra, f"{path}[{key}]")
        elif kind == "string":
            self.string(value, prop, path)
        elif kind == "integer":
            if isinstance(value, bool) or not _integral(value):
                raise invalid_value(path, _SCALAR_TYPES.get(prop.get("format", ""), "TYPE_INT32"),
                                    value)  # fmt: skip
        elif kind == "number":
            if isinstance(value, bool) or not _numeric(value):
                raise invalid_value(path, _SCALAR_TYPES.get(prop.get("format", ""), "TYPE_DOUBLE"),
                                    value)  # fmt: skip
        elif kind == "boolean" and not isinstance(value, bool):
            raise invalid_value(path, "TYPE_BOOL", value)
        # "any" (a cell value in ValueRange.values) takes every JSON value.

    @staticmethod
    def string(value: Any, prop: dict[str, Any], path: str) -> None:
        if prop.get("format") == "int64" and _integral(value) and not isinstance(value, bool):
            return
        if not isinstance(value, str):
            raise invalid_value(path, "TYPE_STRING", value)
        allowed = prop.get("enum")
        if allowed is not None and value not in allowed:
            raise invalid_value(path, "TYPE_ENUM", value)


def _list_type(items: dict[str, Any]) -> str:
    if items.get("type") in ("array", "any"):
        return "type.googleapis.com/google.protobuf.ListValue"
    return f"type.googleapis.com/google.apps.sheets.v4.{items.get('$ref', 'Value')}"


def _integral(value: Any) -> bool:
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):
        return bool(re.fullmatch(r"-?\d+", value.strip()))
    return False


def _numeric(value: Any) -> bool:
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def _unknown_at_root(name: str) -> ApiError:
    message = f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.'
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"description": f'Unknown name "{name}": Cannot find field.'}],
        }
    ]
    return ApiError(400, message, details=details)  # fmt: skip


@functools.cache
def _validator(name: str) -> _Validator:
    return _Validator(document(name))


def check(kind: str, query: dict[str, list[str]], body: Any) -> None:
    """Raise Google's 400 if the query or the body of a ``kind`` request breaks the schema."""
    entry = METHODS.get(kind)
    if entry is None:
        return
    doc_name, method_id, binding = entry
    doc = document(doc_name)
    method = _method(doc, method_id)
    known = set(method.get("parameters", {})) | set(doc.get("parameters", {}))
    # Drive v3 lets unknown query parameters through (the recordings show files.get with
    # includeItemsFromAllDrives answered 200); the Sheets API refuses them.
    for name in query if doc_name == "sheets" else ():
        if name not in known:
            raise ApiError(
                400,
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                f"parameter. Field '{name}' could not be found in request message.",
            )
    if doc_name == "drive":
        for name, param in method.get("parameters", {}).items():
            if param.get("required") and param.get("location") == "query" and name not in query:
                raise ApiError(400, f"Required parameter: {name}")
    ref = (method.get("request") or {}).get("$ref")
    if ref is None or not isinstance(body, dict):
        return  # no body, or not an object: the handler answers that in Google's words
    _validator(doc_name).message(body, ref, binding)


def unknown_in_mask(doc_name: str, schema: str, mask: dict[str, Any] | None) -> str | None:
    """The first field a response mask names that ``schema`` does not have, else None."""
    if mask is None:
        return None
    schemas = document(doc_name)["schemas"]
    props = schemas[schema].get("properties", {})
    for name, sub in mask.items():
        if name == "*":
            continue
        prop = props.get(name)
        if prop is None:
            return name
        while prop.get("type") == "array":
            prop = prop.get("items", {})
        if sub is None:
            continue
        if "$ref" in prop:
            inner = unknown_in_mask(doc_name, prop["$ref"], sub)
            if inner is not None:
                return f"{name}/{inner}"
        elif prop.get("type") == "object" and "additionalProperties" in prop:
            continue  # a map: any key may follow
        elif prop.get("type") == "object":
            inner_props = prop.get("properties", {})
            missing = next((k for k in sub if k != "*" and k not in inner_props), None)
            if missing is not None:
                return f"{name}/{missing}"
        else:
            return f"{name}/{next(iter(sub))}"  # a scalar has no fields
    return None
