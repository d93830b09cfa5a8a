"""How the demo workbooks print: pages per tab, as LibreOffice prints them to PDF.

    python bench/printed.py [--keep DIR]

Makes the demo as `scripts/demo.sh` does (`bot.examples`, then one sync as of 17 Jan 2025)
in a temporary folder (or DIR), then prints each tab of `chaiyaphum.xlsx` and
`national.xlsx` on its own: a copy of the workbook in which every other tab is hidden goes
through `soffice --headless --convert-to pdf`, so the tab's own page setup decides (the
bot's tabs: A4 landscape, one page wide; the district tabs: whatever staff set). With
`--keep DIR` the PDFs stay in DIR/pdf and, when `pdftoppm` is installed, the first page of
each as a PNG in DIR/png, to look at.

Thai text is drawn in Sarabun (the `fontpkg-sarabun` package the digests' charts use),
made known to LibreOffice through a fontconfig file, as a Thai office's machine has a Thai
font; without it LibreOffice would draw boxes.

The last line printed is one JSON object: {"workbook/tab": pages, ...}.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from bot.backends import open_backend
from bot.chart_png import font_path
from bot.config_load import load_config
from bot.cycle import sync_cycle
from bot.examples import make_examples

ROOT = Path(__file__).resolve().parent.parent
DEMO_DAY = date(2025, 1, 17)
WORKBOOKS = ("chaiyaphum.xlsx", "national.xlsx")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_NAME = re.compile(rb'\sname="([^"]*)"')


def libreoffice() -> str | None:
    """The LibreOffice command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def make_demo(folder: Path) -> list[Path]:
    """The demo workbooks after one sync as of the demo's day, in `folder`/example (and
    the province's workbook as staff made it, before the sync, in `folder`/as-made)."""
    shutil.copy(ROOT / "config.example.yaml", folder / "config.yaml")
    make_examples(folder / "example")
    (folder / "as-made").mkdir(exist_ok=True)
    shutil.copy(folder / "example" / WORKBOOKS[0], folder / "as-made" / WORKBOOKS[0])
    config = load_config(folder / "config.yaml")
    with open_backend(config) as backend:
        report = sync_cycle(config, backend, DEMO_DAY)
    if report.skipped:
        raise RuntimeError(f"the demo sync skipped {report.skipped}")
    return [folder / "example" / name for name in WORKBOOKS]


def tab_names(path: Path) -> list[str]:
    """The workbook's tabs, in order (read from its workbook part, not with the bot's code)."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml")
    names = []
    for tag in _SHEET.findall(book):
        found = _NAME.search(tag)
        if found:
            names.append(html.unescape(found.group(1).decode()))
    return names


def only_tab(path: Path, index: int, out: Path) -> None:
    """A copy of the workbook with every tab hidden but tab `index` (0-based), shown first."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    tags = iter(range(10**6))

    def hide(match: re.Match[bytes]) -> bytes:
        tag = re.sub(rb'\sstate="[^"]*"', b"", match.group(0))
        if next(tags) == index:
            return tag
        return tag.replace(b" name=", b' state="hidden" name=', 1)

    book = _SHEET.sub(hide, parts["xl/workbook.xml"])
    book = re.sub(rb'\s(activeTab|firstSheet)="\d+"', b"", book)
    book = re.sub(rb"<((?:\w+:)?workbookView)\b", rb'<\1 activeTab="%d"' % index, book, count=1)
    parts["xl/workbook.xml"] = book
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def fonts_conf(folder: Path) -> Path:
    """A fontconfig file: the system's fonts and Sarabun."""
    sarabun = font_path()
    if sarabun is None:
        raise RuntimeError("the Thai font is not installed: pip install fontpkg-sarabun")
    fonts = sarabun.parent
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{html.escape(str(fonts))}</dir>"
        f"<cachedir>{html.escape(str(folder / 'fontconfig-cache'))}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return conf


def to_pdf(paths: list[Path], folder: Path) -> list[Path]:
    """Each workbook printed to PDF by LibreOffice (one run for all), into `folder`."""
    command = libreoffice()
    if command is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts_conf(folder)))
    subprocess.run(
        [command, f"-env:UserInstallation=file://{folder / '.lo-profile'}", "--headless",
         "--norestore", "--convert-to", "pdf", "--outdir", str(folder), *map(str, paths)],
        check=True, capture_output=True, timeout=600, env=env,
    )  # fmt: skip
    return [folder / (p.stem + ".pdf") for p in paths]


def pdf_pages(pdf: Path) -> int:
    """The number of pages of a PDF LibreOffice wrote (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def pdf_fonts(pdf: Path) -> set[str]:
    """The names of the fonts a PDF embeds (subset prefixes removed)."""
    names = re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([\w-]+)", pdf.read_bytes())
    return {n.decode() for n in names}


def print_tabs(
    workbooks: dict[str, Path], work: Path, *, whole: tuple[str, ...] = ()
) -> dict[tuple[str, str], Path]:
    """Each tab of each workbook (label -> path) printed on its own, in one run of
    LibreOffice: (label, tab) -> its PDF; the workbooks labelled in `whole` are printed
    whole instead, under the tab name "*"."""
    copies: list[Path] = []
    keys: list[tuple[str, str]] = []
    (work / "tabs").mkdir(parents=True, exist_ok=True)
    for label, path in workbooks.items():
        if label in whole:
            copy = work / "tabs" / f"{label}.xlsx"
            shutil.copy(path, copy)
            copies.append(copy)
            keys.append((label, "*"))
            continue
        for index, tab in enumerate(tab_names(path)):
            copy = work / "tabs" / f"{label}-{index:02d}.xlsx"
            only_tab(path, index, copy)
            copies.append(copy)
            keys.append((label, tab))
    return dict(zip(keys, to_pdf(copies, work / "pdf"), strict=True))


def to_png(pdf: Path, out: Path, *, first: int = 1, last: int = 1, dpi: int = 80) -> list[Path]:
    """Pages of a PDF as PNG pictures (pdftoppm), named out-<page>.png."""
    command = shutil.which("pdftoppm")
    if command is None:
        raise RuntimeError("pdftoppm (poppler-utils) is not installed")
    subprocess.run(
        [command, "-r", str(dpi), "-f", str(first), "-l", str(last), "-png", str(pdf), str(out)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return sorted(out.parent.glob(f"{out.name}-*.png"))


def main(argv: list[str] | None = None) -> int:
    """Make the demo, print every tab, and report its pages."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="keep the workbooks, PDFs and PNGs here")
    args = parser.parse_args(argv)
    if libreoffice() is None:
        print("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        synced = make_demo(work)
        books = {"as-made": work / "as-made" / WORKBOOKS[0]}
        books |= {p.stem: p for p in synced}
        pdfs = print_tabs(books, work)
        figures: dict[str, int] = {}
        print(f"{'workbook':<12} {'before':>6} {'after':>6}  tab (before: as staff made it)")
        for (label, tab), pdf in pdfs.items():
            figures[f"{label}/{tab}"] = pdf_pages(pdf)
            if label == "as-made":
                continue
            before = figures.get(f"as-made/{tab}") if label == synced[0].stem else None
            shown = "-" if before is None else str(before)
            print(f"{label:<12} {shown:>6} {figures[f'{label}/{tab}']:>6}  {tab}")
            if args.keep and shutil.which("pdftoppm"):
                (work / "png").mkdir(exist_ok=True)
                to_png(pdf, work / "png" / pdf.stem)
        print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
