"""Which schools a batch covers: exactly one selector, regions ignoring case, unknown
regions answered with the closest names."""

from __future__ import annotations

import pytest

from matcher.errors import MatcherError, NotFoundError
from matcher.selection import Selection
from tests.conftest import World


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"regency": "Kota Surabaya", "district": "Semampir"},
        {"province": "Jawa Timur", "all_schools": True},
        {"all_schools": True, "school_ids": ["S1"]},
    ],
)
def test_exactly_one_selector(given: dict) -> None:
    with pytest.raises(MatcherError, match="exactly one of"):
        Selection.of(**given)


@pytest.mark.parametrize(
    ("given", "ids"),
    [
        ({"all_schools": True}, ["S1", "S2", "S3", "S4", "S5"]),
        ({"regency": "kota SURABAYA"}, ["S1", "S2", "S3", "S4", "S5"]),
        ({"district": "Semampir"}, ["S1", "S2", "S3", "S4", "S5"]),
        ({"school_ids": ["S3", "S1", "S3"]}, ["S3", "S1"]),  # each once, in the given order
    ],
)
def test_rows_of_a_selection(fitted_world: World, given: dict, ids: list[str]) -> None:
    index = fitted_world.index
    rows = Selection.of(**given).rows(index)
    assert index.schools["school_id"].iloc[rows].tolist() == ids


def test_unknown_region_names_the_closest(fitted_world: World) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'Kota Surabaya'"):
        Selection.of(regency="Kota Surabya").rows(fitted_world.index)
    with pytest.raises(NotFoundError, match=r"stored: 'Jawa Timur'"):
        Selection.of(province="Bali").rows(fitted_world.index)
    with pytest.raises(NotFoundError, match="no school with id 'NOPE'"):
        Selection.of(school_ids=["S1", "NOPE"]).rows(fitted_world.index)
