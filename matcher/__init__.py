"""School–partner matcher: a two-way recommendation engine for school partnerships."""

__version__ = "0.3.0"
