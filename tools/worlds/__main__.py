"""``python -m tools.worlds``: write a ledger world (see :mod:`tools.worlds`)."""

import sys

from .ledger import main

sys.exit(main())
