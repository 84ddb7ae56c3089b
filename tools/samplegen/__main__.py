"""``python -m tools.samplegen --out data/sample --seed 42``."""

import sys

from .cli import main

sys.exit(main())
