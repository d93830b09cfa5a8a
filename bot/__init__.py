"""softpower-bot: checks, rolls up and summarises the Soft Power programme's monthly reports."""

__version__ = "0.1.0"
