"""``python -m venvguard``: the same as the ``venvguard`` console script."""

import sys

from venvguard.cli import main

sys.exit(main())
