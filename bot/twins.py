"""The same report typed twice: one district tab, month, organisation, identity and post,
compared without spaces or case (the checks flag the later row as DUPLICATE). Pure."""

from __future__ import annotations

from bot.form import ParsedRow


class Reports:
    """The reports met so far, to tell one typed twice: the same district tab, month,
    organisation, identity and post, compared without spaces or case.

    Rows are kept by tab, month and post: one text of a row is normalised to find its
    place, and the organisation and the identity only of the few rows sharing a post."""

    def __init__(self) -> None:
        self.first: dict[tuple[object, ...], ParsedRow] = {}  # the first row of each post
        self.others: dict[tuple[object, ...], list[ParsedRow]] = {}  # other reports of it

    def twin(self, row: ParsedRow, month: tuple[int, int] | None) -> ParsedRow | None:
        """The first earlier row that is the same report as `row`, if any; else None,
        and `row` is kept (a row without a month, organisation, identity or post is
        nobody's twin)."""
        text = row.text
        lao, identity, url = text.get("lao", ""), text.get("identity", ""), text.get("post_url", "")
        if month is None or not (lao and identity and url):
            return None
        key = (row.source.spreadsheet, row.source.district.code, month, _typed(url))
        first = self.first.setdefault(key, row)
        if first is row:
            return None
        report = (_typed(lao), _typed(identity))
        others = self.others.setdefault(key, [])
        for earlier in (first, *others):
            if (_typed(earlier.text["lao"]), _typed(earlier.text["identity"])) == report:
                return earlier
        others.append(row)
        return None


def _typed(text: str) -> str:
    """A text as compared for duplicates: without spaces, case folded."""
    return text.replace(" ", "").casefold()
