"""The bot's one small exception hierarchy.

Every error a user can cause or fix is a `BotError` whose message names the bad value and
the fix; the CLI prints it as one line. Anything else is a bug and shows a traceback only
with `--debug`.
"""


class BotError(Exception):
    """An error the user can fix; its message says how."""


class ConfigError(BotError):
    """The YAML configuration is missing, unreadable or invalid."""


class SheetError(BotError):
    """A spreadsheet cannot be read or written (missing, locked, busy, not shared)."""


class SheetChanged(SheetError):
    """People changed a spreadsheet's layout between the read and the write (rows or columns
    inserted, deleted, moved or sorted), so the plan no longer fits it: nothing unsafe was
    written, and the cycle reads that spreadsheet again and retries it once."""


class NotifyError(BotError):
    """A reminder could not be delivered."""


class ServiceError(BotError):
    """Google cannot be reached or refuses the bot as a whole (network, DNS, proxy, a revoked
    key): not about one spreadsheet, so the cycle stops instead of skipping them one by one."""
