"""Writing a generated world as CSV files in the project's input format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .common import (
    PARTNER_COLUMNS,
    SCHOOL_COLUMNS,
    START,
    ObjArray,
    fmt,
    int_str,
)
from .outcomes import simulate_outcomes
from .partners import make_partners
from .places import district_table
from .schools import make_schools


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


def generate(
    out_dir: Path,
    n_schools: int,
    n_partners: int,
    seed: int = 42,
    national: bool = False,
    outcomes: bool = True,
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
        Spread schools over the 38 provinces instead of four East Java regencies.
    outcomes : bool
        Also simulate and write the partnership history.

    Returns
    -------
    dict of str to Path
        Paths keyed ``schools``, ``partners`` and (with ``outcomes``) ``outcomes``.
    """
    if n_schools < 10 or n_partners < 10:
        raise ValueError("need at least 10 schools and 10 partners")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    districts = district_table(rng, national)
    schools, s_side = make_schools(rng, districts, n_schools, national)
    partners, p_side = make_partners(rng, districts, n_partners, national)
    paths = {
        "schools": _write(_schools_out(schools), out_dir / "schools.csv"),
        "partners": _write(_partners_out(partners), out_dir / "partners.csv"),
    }
    if outcomes:
        ev = simulate_outcomes(rng, s_side, p_side, target=90.0)
        table = _outcomes_out(
            ev,
            schools["school_id"].to_numpy(dtype=object),
            partners["partner_id"].to_numpy(dtype=object),
        )
        paths["outcomes"] = _write(table, out_dir / "outcomes.csv")
    return paths
