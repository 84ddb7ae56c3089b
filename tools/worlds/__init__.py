"""A second family of generated worlds, written from other assumptions than
``tools.samplegen``, so that a quality grid over both cannot agree with the engine's
defaults by construction.

Same output as ``tools.samplegen`` (``schools.csv``, ``partners.csv``, ``outcomes.csv``
in the contract's input format and ``truth.npz`` with the same arrays), but its own
latent sides, behaviour and truth (:mod:`tools.worlds.ledger`); it shares only the
generator's data tables (vocabulary codes, place names and coordinates, noun phrases).
What differs, on purpose:

* **benefit is a ledger**: the *number* of needs met on both sides (not the share of a
  school's needs, not the chance of acceptance times success), times the chance that
  the partnership delivers at all;
* **implied offers have no value**: what a school's profile suggests it could give
  (CSR impact for a small school, visibility for a large one) is worth nothing; a school
  gives what it lists or writes;
* **acceptance** is the asked partner's own gain and how loaded it is when asked,
  simulated proposal by proposal in time order;
* **reliability** is strong or weak (the spread of partners' hidden delivery), and
  distance within reach does not matter.

Run ``python -m tools.worlds --out DIR --seed S --truth``.
"""

from .ledger import LedgerWorld, generate, main, make_world

__all__ = ["LedgerWorld", "generate", "main", "make_world"]
