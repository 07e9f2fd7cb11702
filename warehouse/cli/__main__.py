"""``python -m warehouse.cli``: the same as the ``guichets`` script."""

import sys

from warehouse.cli import main

sys.exit(main())
