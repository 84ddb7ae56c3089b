"""Pair details for the officer's tables say what explain_pair says, for many pairs."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.explain import explain_pair
from matcher.pairs import pair_details
from tests.conftest import World


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pair_details_equal_explain_pair(fitted_world: World, lang: str) -> None:
    index = fitted_world.index
    s, p = np.meshgrid(np.arange(index.n_schools), np.arange(index.n_partners), indexing="ij")
    s, p = s.ravel(), p.ravel()
    got = pair_details(index, s, p, lang)
    for i in range(len(s)):
        ref = explain_pair(index, int(s[i]), int(p[i]), lang)
        assert got["explanation"][i] == ref["text"]
        assert got["school_gain_codes"][i] == ";".join(g["code"] for g in ref["school_gains"])
        assert got["partner_gain_codes"][i] == ";".join(g["code"] for g in ref["partner_gains"])
        assert bool(got["online"][i]) == ref["online"]
        if ref["distance_km"] is not None:
            assert got["distance_km"][i] == pytest.approx(ref["distance_km"], abs=0.01)
