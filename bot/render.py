"""Render reminder messages into Thai text with the Jinja2 templates in `bot/templates/`.

The shell side of `bot.reminders`: it loads templates from disk (the built-in ones, or an
admin's folder named in `reminders.templates`) and formats dates and numbers the Thai way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import jinja2

from bot import thai
from bot.config import Config
from bot.config_load import config_path
from bot.errors import ConfigError
from bot.model import Link
from bot.reminders import Message

TEMPLATES = Path(__file__).parent / "templates"


def render_messages(
    config: Config, messages: list[Message], today: date, link: Callable[[Link], str]
) -> list[Message]:
    """The messages with their title and text rendered; `link` turns a cell into a URL."""
    out = []
    for message in messages:
        title, text = render(config, message, today, link)
        out.append(replace(message, title=title, text=text))
    return out


@cache
def _environment(user_templates: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_templates:
        loaders.append(jinja2.FileSystemLoader(user_templates))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # plain text for e-mail, LINE and Telegram
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def template(config: Config, name: str) -> jinja2.Template:
    """The template `name`: the admin's (in `reminders.templates`) if there is one, else
    the built-in one."""
    templates = config.reminders.templates
    return _environment(str(config_path(config, templates)) if templates else None).get_template(
        name
    )


def render(
    config: Config, message: Message, today: date, link: Callable[[Link], str]
) -> tuple[str, str]:
    """The title and body of a message, from `<level>.txt.j2` (overridable in the config).

    The templates get dates the way a letter writes them: `due_long` / `effective_long`
    ("วันศุกร์ที่ 24 มกราคม 2568"), `due_full` ("25 มกราคม 2568"), `month_full`
    ("มกราคม 2568"); and the short forms (`due`, `month`) for subject lines.
    """
    digits = config.reminders.thai_digits
    templates = config.reminders.templates
    user = str(config_path(config, templates)) if templates else None
    env = _environment(user)

    def d(day: date) -> str:
        return thai.date_label(day, thai_digits=digits)

    def full(day: date) -> str:
        return thai.date_label(day, thai_digits=digits, full_month=True)

    def long(day: date) -> str:
        return thai.weekday_date_label(day, thai_digits=digits)

    def m(month: tuple[int, int], *, whole: bool = False) -> str:
        return thai.month_label(*month, thai_digits=digits, full=whole)

    def n(value: int) -> str:
        return thai.to_thai_digits(str(value)) if digits else str(value)

    days = {sheet.province: config.deadline_days(sheet) for sheet in config.provinces}
    prog = config.programme
    programme_days = (prog.district_deadline_day, prog.province_deadline_day)
    sections = []
    for s in message.sections:
        deadline = s.reminder.deadline
        level_day = days.get(message.province or "", programme_days)
        owing = [st for st in s.districts if st.owes]
        sections.append(
            {
                "kind": s.reminder.kind,
                "level": deadline.level,
                "month": m(deadline.month),
                "month_full": m(deadline.month, whole=True),
                "due": d(deadline.due),
                "due_full": full(deadline.due),
                "due_long": long(deadline.due),
                "effective_long": long(deadline.effective),
                "day": n(level_day[0] if deadline.level == "district" else level_day[1]),
                "days_left": n((deadline.effective - today).days),
                "days_late": n((today - deadline.due).days),
                "non_working": deadline.non_working,
                "holiday": deadline.holiday_name or "",
                "districts": [
                    {
                        "name": st.source.district.name,
                        "province": st.source.province.name,
                        "complete": n(st.complete),
                        "owes": st.owes,
                        "todos": [
                            {"text": t.text, "url": link(t.link) if t.link else ""}
                            for t in st.todos
                        ],
                        "tab_url": link(Link(st.source.spreadsheet, st.source.tab, 1, 1)),
                    }
                    for st in s.districts
                ],
                "owing": n(len(owing)),
                "done": n(len(s.districts) - len(owing)),
                "total": n(len(s.districts)),
                "provinces": n(len({st.source.province.name for st in owing})),
            }
        )
    context = {
        "programme": config.programme.name,
        "level": message.level,
        "recipient": message.recipient,
        "province": message.province or "",
        "today": d(today),
        "today_full": full(today),
        "sections": sections,
        "attachments": [a.title for a in message.attachments],
    }
    name = f"{message.level}.txt.j2"
    try:
        text = env.get_template(name).render(context)
        name = "title.txt.j2"
        title = env.get_template(name).render({**context, "first": sections[0]})
    except jinja2.TemplateError as exc:
        folder = user or str(TEMPLATES)
        line = getattr(exc, "lineno", None)
        raise ConfigError(
            f"{folder}/{name}{f':{line}' if line else ''}: the reminder template cannot be "
            f"rendered ({exc}); fix it, or remove it from reminders.templates to use the "
            "built-in one"
        ) from None
    return " ".join(title.split()), _tidy(text)


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one newline at the end."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"
