"""Deterministic synthetic data: Indonesian schools, partners and partnership outcomes.

A developer tool, not part of the installed ``matcher`` package. It writes
``schools.csv``, ``partners.csv`` and ``outcomes.csv`` in the input format of the project
contract (``;``-separated lists, ``true``/``false`` booleans). It is independent of the
matching engine it helps to test: it imports nothing from ``matcher`` and keeps its own
copy of the vocabulary codes. Its tables (places, phrases, partner profiles, names, the
two fixed records) are JSON files in ``data/`` beside the code.

Two configurations exist:

* the default sample (1,200 schools, 260 partners) in four East Java regencies with real
  kecamatan: Kota Surabaya, Kabupaten Sidoarjo, Kabupaten Malang (remote mountain and
  south-coast villages) and Kabupaten Sumenep (Madura, with island schools);
* ``--national`` (about 400,000 schools and 50,000 partners) over the 38 provinces; the
  four East Java regencies keep their real kecamatan, other regencies and kecamatan get
  synthetic but plausible names.

Outcomes are simulated from latent quantities the files do not show: a school's true
needs (some only written in its description), the two-way fit between a school and a
partner, each partner's reliability and fame, each school's engagement, distance and
language (``behaviour`` holds every formula). ``World`` sets how the log looks (exposure
bias, reliability spread, needs only in text, English share, regencies, proposal volume);
``truth`` gives the expected benefit of every pair, for benchmarks only, and
``make_world`` returns a world and its truth in memory.

Run ``python -m tools.samplegen --out data/sample --seed 42``.
"""

from .cli import main
from .tables import KUANTA_ID, PGRI6_ID
from .truth import Truth
from .world import World
from .writer import generate, make_world

__all__ = ["KUANTA_ID", "PGRI6_ID", "Truth", "World", "generate", "main", "make_world"]
