"""`softpower-bot provision`: make what the config names and lacks, so staff type into a
form that helps them: the spreadsheets (Google: in `provision.folder`), one district tab
per district, the header row, notes on what to type, drop-downs, a link rule, a frozen
header, the bot's status column guarded, and (Google) the sharing the config gives.

Idempotent: what exists is found and completed, never rebuilt, and no cell a person typed
is written; run twice, the second run writes nothing. One spreadsheet that cannot be
provisioned never stops the others. With `dry_run` everything is read and nothing written.
For Google, the keys of new spreadsheets go into a config snippet to paste (printed, and
written to `provisioned.yaml` beside the bot's state).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import Config
from bot.config_load import state_path
from bot.layout import Outcome, snippet, spreadsheets
from bot.sheets import Backend

SNIPPET_FILE = "provisioned.yaml"


@dataclass
class ProvisionReport:
    """What one `provision` run did (or would do)."""

    outcomes: list[Outcome]
    dry_run: bool
    snippet: str | None = None  # Google: national/provinces with the new keys
    snippet_path: Path | None = None
    snippet_problem: str | None = None

    @property
    def writes(self) -> int:
        """Requests (Google) or saved files (xlsx) that changed something."""
        return sum(o.writes for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        """The spreadsheets that could not be provisioned."""
        return [o for o in self.outcomes if o.problem]

    def as_text(self) -> str:
        """The report for people: each spreadsheet, what was done, the snippet to paste."""
        lines = []
        for o in self.outcomes:
            mark = "✖" if o.problem else ("+" if o.created or not o.location else "✔")
            lines.append(f"{mark} {o.whose}: {o.location or '(to be made)'}")
            lines += [f"    {a}" for a in o.actions]
            if o.problem:
                lines.append(f"    NOT PROVISIONED: {o.problem}")
            elif not o.actions:
                lines.append("    nothing to do")
        if self.snippet:
            lines += ["", "Paste this over national: and provinces: in the config "
                      "(คัดลอกไปแทนในไฟล์ตั้งค่า):", "", self.snippet]  # fmt: skip
            if self.snippet_path:
                lines.append(f"\n(also written to {self.snippet_path})")
            if self.snippet_problem:
                lines.append(f"\n(could not write it to a file: {self.snippet_problem})")
        if self.dry_run:
            lines.append("\nDry run: nothing was made, written or shared.")
            if any(not o.location and not o.problem for o in self.outcomes):
                lines.append("The real run prints the new spreadsheets' keys to paste "
                             "into the config.")  # fmt: skip
        else:
            lines.append(f"\n{self.writes} write{'' if self.writes == 1 else 's'}.")
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        """The shape of `provision --json`."""
        return {
            "dry_run": self.dry_run,
            "writes": self.writes,
            "spreadsheets": [
                {
                    "whose": o.whose,
                    "location": o.location,
                    "created": o.created,
                    "actions": o.actions,
                    "writes": o.writes,
                    "problem": o.problem,
                }
                for o in self.outcomes
            ],
            "snippet": self.snippet,
            "snippet_file": str(self.snippet_path) if self.snippet_path else None,
        }


def provision(config: Config, backend: Backend, *, dry_run: bool = False) -> ProvisionReport:
    """Provision every spreadsheet of the config through `backend` (google or xlsx)."""
    plans = spreadsheets(config)
    report = ProvisionReport([], dry_run)
    if backend.name == "google":
        from bot.backends.google import GoogleBackend  # noqa: PLC0415
        from bot.backends.google_provision import GoogleProvisioner  # noqa: PLC0415

        assert isinstance(backend, GoogleBackend)
        google = GoogleProvisioner(config, backend)
        checked: list[str | None] = []

        def folder_problem() -> str | None:
            if not checked:
                checked.append(google.check_folder())
            return checked[0]

        keys: dict[str, str] = {}
        for planned in plans:
            outcome, key = google.provision(planned, dry_run=dry_run, folder_problem=folder_problem)
            report.outcomes.append(outcome)
            if planned.sheet.startswith("new:") and key:
                keys[planned.sheet] = key
        # A dry run makes no key: its snippet would be the config as it is.
        if any(p.sheet.startswith("new:") for p in plans) and not dry_run:
            report.snippet = snippet(config, keys)
            _save_snippet(config, report)
        return report
    from bot.backends.xlsx import XlsxBackend  # noqa: PLC0415
    from bot.backends.xlsx_provision import XlsxProvisioner  # noqa: PLC0415

    assert isinstance(backend, XlsxBackend)
    xlsx = XlsxProvisioner(config, backend)
    report.outcomes = [xlsx.provision(p, dry_run=dry_run) for p in plans]
    return report


def _save_snippet(config: Config, report: ProvisionReport) -> None:
    path = state_path(config, SNIPPET_FILE)
    text = (
        "# softpower-bot provision: คัดลอกส่วนนี้ไปแทน national: และ provinces: ในไฟล์ตั้งค่า\n"
        "# (paste over national: and provinces: in the config; new spreadsheets have their keys)\n"
        + (report.snippet or "")
        + "\n"
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        report.snippet_problem = f"{path}: {exc.strerror or exc}"
        return
    report.snippet_path = path
