"""``python -m scrapers.registry FILE...``: check registry files (``--schema`` prints the JSON schema)."""

import sys

from scrapers.registry import main

sys.exit(main())
