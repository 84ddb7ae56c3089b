"""The value types and constants the faces (command line, API, pages) may use beside
:class:`matcher.engine.Engine` and :mod:`matcher.errors`.

Each name is defined once, in the module that owns it, and only re-exported here, so a
face imports what it shows or checks from one place and never reaches into the engine's
parts. A name a face needs that is not here belongs here (added with its owner), not
imported from the owning module directly.
"""

from __future__ import annotations

from matcher.accounts import MIN_PASSWORD, User
from matcher.allocation import Allocation
from matcher.batch import Pairs
from matcher.partnerships import Partnership
from matcher.reading import MAX_TEXT
from matcher.schema import (
    CONTACT_COLUMNS,
    DEFAULT_CANDIDATES,
    MAX_CANDIDATES,
    MAX_EQUITY_WEIGHT,
    MAX_K,
    MAX_OUTCOME_WEIGHT,
)
from matcher.serving import Snapshot
from matcher.similarity import Fusion
from matcher.vocabulary import Lang

__all__ = [
    "CONTACT_COLUMNS",
    "DEFAULT_CANDIDATES",
    "MAX_CANDIDATES",
    "MAX_EQUITY_WEIGHT",
    "MAX_K",
    "MAX_OUTCOME_WEIGHT",
    "MAX_TEXT",
    "MIN_PASSWORD",
    "Allocation",
    "Fusion",
    "Lang",
    "Pairs",
    "Partnership",
    "Snapshot",
    "User",
]
