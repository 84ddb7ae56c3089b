"""School–partner matcher: a two-way recommendation engine for school partnerships."""

__version__ = "0.4.0"
