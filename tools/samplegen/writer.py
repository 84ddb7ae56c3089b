"""Writing a generated world as CSV files in the project's input format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .behaviour import Pairs
from .common import (
    PARTNER_COLUMNS,
    SCHOOL_COLUMNS,
    START,
    ObjArray,
    Side,
    fmt,
    int_str,
)
from .outcomes import all_pairs, simulate_outcomes
from .partners import make_partners
from .places import district_table
from .schools import make_schools
from .truth import Truth, check_size, ground_truth
from .world import SETTINGS, World


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def _schools_out(f: pd.DataFrame) -> pd.DataFrame:
    out = f[list(SCHOOL_COLUMNS)].copy()
    out["latitude"] = fmt(f["latitude"].to_numpy(dtype=np.float64), "%.5f")
    out["longitude"] = fmt(f["longitude"].to_numpy(dtype=np.float64), "%.5f")
    for col in ("students", "teachers", "capacity"):
        out[col] = int_str(f[col].to_numpy(dtype=np.float64))
    return out


def _partners_out(f: pd.DataFrame) -> pd.DataFrame:
    out = f[list(PARTNER_COLUMNS)].copy()
    out["latitude"] = fmt(f["latitude"].to_numpy(dtype=np.float64), "%.5f")
    out["longitude"] = fmt(f["longitude"].to_numpy(dtype=np.float64), "%.5f")
    out["service_radius_km"] = fmt(f["service_radius_km"].to_numpy(dtype=np.float64), "%.0f")
    out["online"] = np.where(f["online"].to_numpy(dtype=bool), "true", "false")
    out["capacity"] = int_str(f["capacity"].to_numpy(dtype=np.float64))
    return out


def _outcomes_out(ev: pd.DataFrame, school_ids: ObjArray, partner_ids: ObjArray) -> pd.DataFrame:
    n = len(ev)
    width = max(6, len(str(n)))
    days = START + ev["day"].to_numpy(dtype=np.int64).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "outcome_id": [f"O-{i:0{width}d}" for i in range(1, n + 1)],
            "school_id": school_ids[ev["s"].to_numpy(dtype=np.int64)],
            "partner_id": partner_ids[ev["p"].to_numpy(dtype=np.int64)],
            "status": ev["status"].to_numpy(dtype=object),
            "school_rating": int_str(ev["school_rating"].to_numpy(dtype=np.float64)),
            "partner_rating": int_str(ev["partner_rating"].to_numpy(dtype=np.float64)),
            "recorded_at": np.datetime_as_string(days, unit="D"),
        }
    )


@dataclass
class _Built:
    schools: pd.DataFrame
    partners: pd.DataFrame
    outcomes: pd.DataFrame | None
    s_side: Side
    p_side: Side
    dense: Pairs | None  # terms of every pair, kept for the truth of small worlds


def _settings(settings: dict[str, Any]) -> World:
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown world settings: {', '.join(sorted(unknown))}")
    return World(**settings)


def _build(
    n_schools: int,
    n_partners: int,
    seed: int,
    national: bool,
    outcomes: bool,
    world: World,
    truth: bool,
) -> _Built:
    if n_schools < 10 or n_partners < 10:
        raise ValueError("need at least 10 schools and 10 partners")
    if truth:
        check_size(n_schools, n_partners)
    rng = np.random.default_rng(seed)
    districts = district_table(rng, national, world.regencies)
    schools, s_side = make_schools(rng, districts, n_schools, national, world)
    partners, p_side = make_partners(rng, districts, n_partners, national, world)
    table = None
    dense = all_pairs(s_side, p_side) if outcomes or truth else None
    if outcomes:
        ev = simulate_outcomes(rng, s_side, p_side, world, dense)
        table = _outcomes_out(
            ev,
            schools["school_id"].to_numpy(dtype=object),
            partners["partner_id"].to_numpy(dtype=object),
        )
    return _Built(_schools_out(schools), _partners_out(partners), table, s_side, p_side, dense)


def _truth(b: _Built) -> Truth:
    return ground_truth(
        b.s_side,
        b.p_side,
        b.schools["school_id"].to_numpy(dtype=str),
        b.partners["partner_id"].to_numpy(dtype=str),
        b.dense,
    )


def generate(
    out_dir: Path,
    n_schools: int,
    n_partners: int,
    seed: int = 42,
    national: bool = False,
    outcomes: bool = True,
    truth: bool = False,
    **settings: Any,
) -> dict[str, Path]:
    """Write a synthetic data set in the project's input format.

    Parameters
    ----------
    out_dir : Path
        Folder to write into (created if missing).
    n_schools, n_partners : int
        Number of rows, including SMP PGRI 6 Surabaya and Kuanta (each at least 10).
    seed : int
        Seed of ``numpy.random.default_rng``; a fixed seed gives identical files.
    national : bool
        Spread schools over the 38 provinces instead of the East Java regencies.
    outcomes : bool
        Also simulate and write the partnership history.
    truth : bool
        Also write ``truth.npz`` (see ``truth.Truth``), for benchmarks only; refused
        above ``truth.MAX_PAIRS`` pairs.
    **settings
        Fields of ``World`` (exposure, reliability, text_only_needs, english, regencies,
        proposals); the defaults make the committed sample.

    Returns
    -------
    dict of str to Path
        Paths keyed ``schools``, ``partners``, and with the options ``outcomes`` and
        ``truth``.
    """
    b = _build(n_schools, n_partners, seed, national, outcomes, _settings(settings), truth)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "schools": _write(b.schools, out_dir / "schools.csv"),
        "partners": _write(b.partners, out_dir / "partners.csv"),
    }
    if b.outcomes is not None:
        paths["outcomes"] = _write(b.outcomes, out_dir / "outcomes.csv")
    if truth:
        paths["truth"] = _truth(b).save(out_dir / "truth.npz")
    return paths


def make_world(
    n_schools: int, n_partners: int, seed: int = 42, **settings: Any
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Truth]:
    """A generated world in memory, with its truth, for benchmarks (no files written).

    Same arguments as ``generate`` (``national`` is not offered: the truth is dense).
    The frames hold strings exactly as ``pandas.read_csv(path, dtype=str,
    keep_default_na=False)`` reads the CSV files ``generate`` writes (docs/files.md:
    lists ``;``-separated, booleans ``true``/``false``, empty optional fields as "").

    Returns
    -------
    schools, partners, outcomes : pandas.DataFrame
    truth : Truth
        Rows in the order of ``schools``, columns in the order of ``partners``.
    """
    b = _build(n_schools, n_partners, seed, False, True, _settings(settings), True)
    assert b.outcomes is not None
    frames = [_as_read(f) for f in (b.schools, b.partners, b.outcomes)]
    return frames[0], frames[1], frames[2], _truth(b)


def _as_read(f: pd.DataFrame) -> pd.DataFrame:
    """The frame as its CSV file reads back with ``dtype=str, keep_default_na=False``."""
    out = f.copy()
    for col in out.columns:
        v = out[col]
        out[col] = v.where(v.notna(), "").astype(str)
    return out.reset_index(drop=True)
