"""Settings of a generated world: what its logs look like, each one a parameter."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .tables import EAST_JAVA, EXTRA_REGENCIES


@dataclass(frozen=True)
class World:
    """How the generated world behaves; the defaults are what the committed sample uses.

    Parameters
    ----------
    exposure : float
        0 (none) to 1 (strong): which pairs get tried. With none, a school approaches the
        partners it judges useful from what it can see (the partner's listed offers against
        its own needs, whether the partner reaches it and serves its level), whatever
        their distance within reach and their fame. With strong, a hidden partner "fame"
        (independent of reliability) and proximity dominate whom a school proposes to.
        Default 0.5: real logs lean towards near, well-known partners.
    reliability : float
        0 to 1: spread of the hidden partner reliability and school engagement around
        their means. They drive follow-through, completion and ratings and are visible
        only through outcomes; 0 makes every partner equally reliable. Default 1.
    text_only_needs : float
        0 to 1: share of schools' true needs written only in their description, not in
        the ``needs`` column (a school still lists at least one need there). Default 0.25.
    english : float
        0 to 1: share of descriptions written in English; a smaller share (0.4 of
        ``min(english, 1 - english)``) mixes both languages, the rest is Indonesian.
        Default 0.15.
    regencies : int
        Regencies of the (non-national) world: the four East Java regencies with real
        kecamatan, then up to eight more East Java regencies with synthetic kecamatan.
        Default 4.
    proposals : float
        Mean number of proposals a school makes over the simulated period (more for
        engaged schools, fewer for late joiners). Default 1.6.
    """

    exposure: float = 0.5
    reliability: float = 1.0
    text_only_needs: float = 0.25
    english: float = 0.15
    regencies: int = 4
    proposals: float = 1.6

    def __post_init__(self) -> None:
        for name in ("exposure", "reliability", "text_only_needs", "english"):
            v = getattr(self, name)
            if not 0.0 <= float(v) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {v}")
        most = len(EAST_JAVA) + len(EXTRA_REGENCIES)
        if not 1 <= int(self.regencies) <= most:
            raise ValueError(f"regencies must be between 1 and {most}, got {self.regencies}")
        if not 0.0 < float(self.proposals) <= 50.0:
            raise ValueError(f"proposals must be above 0 and at most 50, got {self.proposals}")

    @property
    def mixed(self) -> float:
        """Share of descriptions that mix Indonesian and English."""
        return 0.4 * min(self.english, 1.0 - self.english)


SETTINGS: tuple[str, ...] = tuple(f.name for f in fields(World))
