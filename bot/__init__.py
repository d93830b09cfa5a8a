"""softpower-bot: checks, rolls up and summarises the Soft Power programme's monthly reports."""

__version__ = "0.1.0"

# Where the config is found (bot.config_load reads it); here, so that `--help` can say so
# without importing the config's models.
DEFAULT_CONFIG_PATH = "config.yaml"
CONFIG_ENV = "SOFTPOWER_CONFIG"
