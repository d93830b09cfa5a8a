"""How faithfully the fake Sheets API answers, measured against Google's recorded answers.

Every cassette in ``<project>/../shared/gspread-cassettes`` (or ``$SOFTPOWER_CASSETTES``;
vcrpy recordings of gspread's
own test suite against the real API) is replayed request by request against a fresh
`FakeSheets`, and each answer is compared with Google's: status code, JSON keys
(recursively), ranges and values. Generated ids are mapped as the replay goes (the id
Google gave a new spreadsheet/sheet <-> the one the fake gave), so a later request is
sent with the fake's id and an answer must repeat ids consistently.

Ignored in the comparison, in one place: `IGNORED` (timestamps, account e-mails) and
`NOT_MODELLED` (Google fields the fake leaves out). Known differences, each with a
reason, are in `KNOWN_MISMATCHES`; the test requires the mismatches found to be exactly
those, so a new difference (or a fixed one) fails loudly.

The recordings are gspread's (MIT licence, from its repository's tests/cassettes at commit
5e2b628); this project reads them from beside the checkout and does not copy them in. In
CI (``CI`` set) they must be there: a missing folder fails the run. On a clone elsewhere,
where they cannot be, these tests are skipped with a line that says where to put them.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from fake_sheets import FakeSheets
from fake_sheets.routes import classify

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = Path(
    os.environ.get("SOFTPOWER_CASSETTES") or ROOT.parent / "shared" / "gspread-cassettes"
)

# Keys whose values are ids Google generates; compared through the recorded->fake map.
ID_KEYS = frozenset({"spreadsheetId", "sheetId", "id", "protectedRangeId", "metadataId"})

# Values that differ on every run or account; compared only for shape (same type).
IGNORED: dict[str, str] = {
    "createdTime": "Drive timestamp: the moment the file was made",
    "modifiedTime": "Drive timestamp: the moment of the last change",
    "users": "account e-mails (the recording's service account vs the fake's caller)",
}

# Fields Google returns that the fake does not model (dropped from Google's answer before
# comparing). Each entry: key -> why it is not modelled. Empty entries are never hit by
# the current recordings but would be dropped if a future recording had them.
NOT_MODELLED: dict[str, str] = {
    "effectiveFormat": "a cell's computed format (theme + conditional formats) is not modelled",
    "dataValidation": "setDataValidation is accepted but rules are not stored",
    "conditionalFormats": "conditional formatting is not modelled",
    "bandedRanges": "banding is not modelled",
    "namedRanges": "named ranges are not modelled",
}

# (cassette, interaction index) -> why the fake's answer differs from Google's.
KNOWN_MISMATCHES: dict[tuple[str, int], str] = {}

# The replay must cover at least this many interactions (there are 720 in 50 cassettes).
REPLAY_FLOOR = 700


@dataclass
class Outcome:
    """What happened to one recorded interaction."""

    cassette: str
    index: int
    endpoint: str
    status: str  # "matched" | "mismatched" | "skipped"
    detail: str = ""


@dataclass
class IdMap:
    """Recorded id -> the fake's id, learnt from pairs of answers."""

    ids: dict[Any, Any] = field(default_factory=lambda: {0: 0})

    def learn(self, recorded: Any, actual: Any) -> None:
        """Walk two answers side by side and remember where their ids differ."""
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key in recorded.keys() & actual.keys():
                if key in ID_KEYS and not isinstance(recorded[key], dict | list):
                    self.ids.setdefault(recorded[key], actual[key])
                else:
                    self.learn(recorded[key], actual[key])
        elif isinstance(recorded, list) and isinstance(actual, list):
            for r, a in zip(recorded, actual, strict=False):
                self.learn(r, a)

    def text(self, value: str) -> str:
        """A string with every known recorded spreadsheet id replaced by the fake's."""
        for old, new in self.ids.items():
            if isinstance(old, str) and old in value:
                value = value.replace(old, str(new))
        return value

    def request(self, body: Any) -> Any:
        """A request body with recorded ids replaced by the fake's."""
        if isinstance(body, dict):
            return {
                k: self.ids.get(v, v)
                if k in ID_KEYS and isinstance(v, int | str)
                else self.request(v)
                for k, v in body.items()
            }
        if isinstance(body, list):
            return [self.request(v) for v in body]
        return body


def _drop_not_modelled(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_not_modelled(v) for k, v in value.items() if k not in NOT_MODELLED}
    if isinstance(value, list):
        return [_drop_not_modelled(v) for v in value]
    return value


def _same_number(a: float, b: float) -> bool:
    # Google prints floats at float32 or float64 precision depending on the field.
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def compare(recorded: Any, actual: Any, ids: IdMap, path: str = "$") -> Iterator[str]:
    """Differences between Google's answer and the fake's, as readable strings."""
    if isinstance(recorded, dict):
        if not isinstance(actual, dict):
            yield f"{path}: Google has an object, fake has {actual!r:.80}"
            return
        for key in sorted(recorded.keys() - actual.keys()):
            yield f"{path}.{key}: missing in fake (Google: {json.dumps(recorded[key])[:80]})"
        for key in sorted(actual.keys() - recorded.keys()):
            yield f"{path}.{key}: extra in fake ({json.dumps(actual[key])[:80]})"
        for key in sorted(recorded.keys() & actual.keys()):
            sub = f"{path}.{key}"
            if key in IGNORED:
                want, got = type(recorded[key]).__name__, type(actual[key]).__name__
                if want != got:
                    yield f"{sub}: type {got} != {want}"
            elif key in ID_KEYS and not isinstance(recorded[key], dict | list):
                if ids.ids.get(recorded[key], recorded[key]) != actual[key]:
                    yield f"{sub}: id {actual[key]!r} is not the one mapped from {recorded[key]!r}"
            else:
                yield from compare(recorded[key], actual[key], ids, sub)
    elif isinstance(recorded, list):
        if not isinstance(actual, list) or len(recorded) != len(actual):
            yield f"{path}: Google {json.dumps(recorded)[:120]} != fake {json.dumps(actual)[:120]}"
            return
        for i, (r, a) in enumerate(zip(recorded, actual, strict=True)):
            yield from compare(r, a, ids, f"{path}[{i}]")
    elif isinstance(recorded, bool) or isinstance(actual, bool):
        if recorded is not actual:
            yield f"{path}: Google {recorded!r} != fake {actual!r}"
    elif isinstance(recorded, int | float) and isinstance(actual, int | float):
        if not _same_number(recorded, actual):
            yield f"{path}: Google {recorded!r} != fake {actual!r}"
    elif isinstance(recorded, str) and isinstance(actual, str):
        if ids.text(recorded) != actual:
            yield f"{path}: Google {recorded!r:.100} != fake {actual!r:.100}"
    elif recorded != actual:
        yield f"{path}: Google {recorded!r:.80} != fake {actual!r:.80}"


def _json_or_none(text: str | bytes | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


_PATH_ID = re.compile(r"/(?:spreadsheets|files)/([A-Za-z0-9_-]{10,})")


def replay(path: Path) -> list[Outcome]:
    """Replay one cassette against a fresh fake and compare every answer."""
    interactions = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    outcomes: list[Outcome] = []
    ids = IdMap()
    with FakeSheets() as fake:
        # Recorded in 2023, when a service account still had Drive storage of its own.
        fake.set_service_account_storage(True)
        session = fake.session()
        for index, interaction in enumerate(interactions):
            request, response = interaction["request"], interaction["response"]
            parts = urlsplit(request["uri"])
            route = classify(request["method"], parts.path)
            endpoint = route.kind if route else f"{request['method']} {parts.path}"
            if route is None:
                outcomes.append(
                    Outcome(path.name, index, endpoint, "skipped", "endpoint not supported")
                )
                continue
            code = response["status"]["code"]
            found = _PATH_ID.search(parts.path)
            if code == 403 and found and found.group(1) not in ids.ids:
                # Precondition of the recording: a spreadsheet that exists but is not
                # shared with the caller. Recreate that state in the fake.
                ids.ids[found.group(1)] = fake.add_spreadsheet("private", shared=False)
            url = ids.text(request["uri"])
            body = _json_or_none(request["body"])
            data = None if body is None else json.dumps(ids.request(body)).encode()
            headers = {"Content-Type": "application/json"} if data is not None else {}
            answer = session.request(request["method"], url, data=data, headers=headers, timeout=10)
            recorded = _drop_not_modelled(_json_or_none(response["body"]["string"]))
            actual = _json_or_none(answer.content)
            ids.learn(recorded, actual)
            diffs = (
                []
                if answer.status_code == code
                else [f"status {answer.status_code} != Google {code}"]
            )
            diffs += list(compare(recorded, actual, ids))
            status = "mismatched" if diffs else "matched"
            outcomes.append(Outcome(path.name, index, endpoint, status, "; ".join(diffs[:5])))
        assert not fake.errors, fake.errors
    return outcomes


def _cassette_files() -> list[Path]:
    if not CASSETTES.is_dir():
        reason = (
            f"Recorded Google traffic not found at {CASSETTES}: the fidelity test needs the "
            "shared/gspread-cassettes folder next to the project, or its path in "
            "$SOFTPOWER_CASSETTES (gspread's tests/cassettes hold the same recordings)."
        )
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)  # CI has them: missing there is a failure
        pytest.skip(reason)
    files = sorted(CASSETTES.glob("*.json"))
    if not files:
        pytest.fail(f"No cassettes (*.json) in {CASSETTES}", pytrace=False)
    return files


@pytest.fixture(scope="module")
def outcomes(pytestconfig: pytest.Config) -> list[Outcome]:
    """Every interaction of every cassette, replayed once for the module; the figures go
    to the terminal (not captured) so every run shows them."""
    results: list[Outcome] = []
    for path in _cassette_files():
        results.extend(replay(path))
    replayed = [o for o in results if o.status != "skipped"]
    matched = [o for o in replayed if o.status == "matched"]
    skipped = [o for o in results if o.status == "skipped"]
    lines = [
        f"fake_sheets fidelity: {len(results)} interactions in {len(_cassette_files())} "
        f"cassettes: replayed {len(replayed)}, matched {len(matched)}, "
        f"mismatched {len(replayed) - len(matched)}, skipped {len(skipped)}"
    ]
    lines += [f"  skipped {o.cassette}[{o.index}] {o.endpoint}: {o.detail}" for o in skipped]
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print("\n".join(lines))
    else:
        with capture.global_and_fixture_disabled():  # fd capture would swallow it
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)
    return results


def test_cassettes_are_present() -> None:
    """The recordings must be there: in CI a missing directory is a failure, not a skip."""
    assert len(_cassette_files()) >= 50


def test_replay_covers_the_recordings(outcomes: list[Outcome]) -> None:
    """Nearly everything is replayed; what is skipped is counted and named, never silent."""
    replayed = [o for o in outcomes if o.status != "skipped"]
    assert len(replayed) >= REPLAY_FLOOR, f"only {len(replayed)} interactions replayed"
    assert {o.cassette for o in replayed} == {p.name for p in _cassette_files()}


def test_every_replayed_interaction_matches_google(outcomes: list[Outcome]) -> None:
    """The mismatches are exactly the known ones (currently none)."""
    found = {(o.cassette, o.index): o for o in outcomes if o.status == "mismatched"}
    unexpected = [
        f"{o.cassette}[{o.index}] {o.endpoint}: {o.detail}"
        for k, o in found.items()
        if k not in KNOWN_MISMATCHES
    ]
    fixed = [f"{c}[{i}]" for c, i in KNOWN_MISMATCHES if (c, i) not in found]
    assert not unexpected, "new differences from Google:\n" + "\n".join(unexpected)
    assert not fixed, "known mismatches that now match (remove them): " + ", ".join(fixed)


def test_values_and_sheet_endpoints_all_replayed(outcomes: list[Outcome]) -> None:
    """Every values.* and basic spreadsheet/sheet interaction is supported, none skipped."""
    core = [o for o in outcomes if o.endpoint.startswith(("values.", "spreadsheets."))]
    assert core and all(o.status != "skipped" for o in core)
    assert all(o.status == "matched" for o in core if (o.cassette, o.index) not in KNOWN_MISMATCHES)
