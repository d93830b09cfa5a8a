"""`python -m bot`: the same as the `softpower-bot` command."""

import sys

from bot.cli import main

sys.exit(main())
