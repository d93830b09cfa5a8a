"""``python -m fake_sheets``: serve the fake Sheets API (see `fake_sheets.service`)."""

import sys

from .service import main

sys.exit(main())
