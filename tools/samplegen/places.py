"""Where schools and partners are: kecamatan tables (East Java or national) and partner homes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import LAT_RANGE, LON_RANGE, ObjArray, pick, pick_rows, place_names
from .tables import (
    EAST_JAVA,
    EXTRA_KECAMATAN,
    EXTRA_REGENCIES,
    JAKARTA_REGENCIES,
    PARTNER_PLACES,
    PROVINCES,
    YOGYA_REGENCIES,
)


def _east_java_rows(rng: np.random.Generator, total_weight: float) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for regency, short, is_kota, share, sigma, lang2, lang2_p, kecs in EAST_JAVA:
        w = rng.dirichlet(np.full(len(kecs), 6.0)) * share * total_weight
        for (name, lat, lon, remote), wk in zip(kecs, w, strict=True):
            rows.append(
                {
                    "province": "Jawa Timur",
                    "regency": regency,
                    "short": short,
                    "district": name,
                    "lat": lat,
                    "lon": lon,
                    "sigma": sigma * (0.6 if remote >= 0.9 else 1.0),
                    "remote": remote,
                    "kota": is_kota,
                    "weight": float(wk),
                    "lang2": lang2,
                    "lang2_p": lang2_p,
                }
            )
    return rows


def _extra_rows(rng: np.random.Generator, k: int) -> list[dict[str, object]]:
    """Kecamatan of the first ``k`` extra East Java regencies (synthetic names)."""
    rows: list[dict[str, object]] = []
    for regency, short, kota, rlat, rlon, share, lang2, lang2_p, remote, n_d in EXTRA_REGENCIES[:k]:
        spread = 0.04 if kota else 0.12
        names = place_names(rng, n_d, set())
        dlat = rlat + rng.normal(0, spread, n_d)
        dlon = rlon + rng.normal(0, spread, n_d)
        far = np.hypot(dlat - rlat, dlon - rlon) / spread
        w = rng.dirichlet(np.full(n_d, 6.0)) * share
        for i in range(n_d):
            rows.append(
                {
                    "province": "Jawa Timur",
                    "regency": regency,
                    "short": short,
                    "district": names[i],
                    "lat": float(dlat[i]),
                    "lon": float(dlon[i]),
                    "sigma": 0.012 if kota else 0.022,
                    "remote": float(np.clip(remote * (0.5 + 0.5 * far[i]), 0.0, 0.6)),
                    "kota": kota,
                    "weight": float(w[i]),
                    "lang2": lang2,
                    "lang2_p": lang2_p,
                }
            )
    return rows


def district_table(rng: np.random.Generator, national: bool, regencies: int = 4) -> pd.DataFrame:
    """Kecamatan with centre, spread, remoteness and share of schools.

    Outside ``national``, the first ``regencies`` of the four real East Java regencies
    and then of the extra ones.
    """
    if not national:
        keep = {r[0] for r in EAST_JAVA[:regencies]}
        local = [r for r in _east_java_rows(rng, 1.0) if r["regency"] in keep]
        local.extend(_extra_rows(rng, max(regencies - len(EAST_JAVA), 0)))
        return pd.DataFrame(local)
    total_w = sum(p[8] for p in PROVINCES)
    rows: list[dict[str, object]] = []
    taken_reg: set[str] = {r[0].split(" ", 1)[1] for r in EAST_JAVA}
    for prov, capital, clat, clon, la0, la1, lo0, lo1, w, remote, lang2, lang2_p in PROVINCES:
        share = w / total_w
        n_reg = max(2, int(round(share * 514)))
        regs: list[tuple[str, str, bool, float, float]] = []
        if prov == "DKI Jakarta":
            regs = [(r, r.replace("Jakarta ", ""), True, la, lo) for r, la, lo in JAKARTA_REGENCIES]
        elif prov == "DI Yogyakarta":
            regs = [
                (r, r.split(" ", 1)[1], r.startswith("Kota"), la, lo)
                for r, la, lo in YOGYA_REGENCIES
            ]
        else:
            if prov != "Jawa Timur":
                regs.append((f"Kota {capital}", capital, True, clat, clon))
                taken_reg.add(capital)
                n_syn = n_reg - 1
            else:
                n_syn = n_reg - len(EAST_JAVA)
            for name in place_names(rng, n_syn, taken_reg):
                lat = float(np.clip(clat + (rng.uniform(la0, la1) - clat) * 0.9, la0, la1))
                lon = float(np.clip(clon + (rng.uniform(lo0, lo1) - clon) * 0.9, lo0, lo1))
                regs.append((f"Kabupaten {name}", name, False, lat, lon))
        if prov == "Jawa Timur":
            ej = _east_java_rows(rng, share * len(EAST_JAVA) / n_reg)
            rows.extend(ej)
        reg_w = rng.dirichlet(np.full(len(regs), 3.0)) * share
        if prov == "Jawa Timur":
            reg_w *= 1.0 - len(EAST_JAVA) / n_reg
        for (regency, short, kota, rlat, rlon), rw in zip(regs, reg_w, strict=True):
            n_d = int(rng.integers(4, 10)) if kota else int(rng.integers(8, 22))
            spread = 0.04 if kota else 0.12 + 0.25 * remote
            taken_d: set[str] = set()
            names = place_names(rng, n_d, taken_d)
            dlat = np.clip(rlat + rng.normal(0, spread, n_d), *LAT_RANGE)
            dlon = np.clip(rlon + rng.normal(0, spread, n_d), *LON_RANGE)
            far = np.hypot(dlat - rlat, dlon - rlon) / (spread + 1e-9)
            rem = 0.0 if kota else remote
            dw = rng.dirichlet(np.full(n_d, 4.0)) * rw
            for i in range(n_d):
                rows.append(
                    {
                        "province": prov,
                        "regency": regency,
                        "short": short,
                        "district": names[i],
                        "lat": float(dlat[i]),
                        "lon": float(dlon[i]),
                        "sigma": 0.012 if kota else 0.03,
                        "remote": float(np.clip(rem * (0.5 + 0.5 * far[i]), 0.0, 0.95)),
                        "kota": kota,
                        "weight": float(dw[i]),
                        "lang2": lang2,
                        "lang2_p": lang2_p,
                    }
                )
    return pd.DataFrame(rows)


def partner_places(
    rng: np.random.Generator,
    ptype: ObjArray,
    districts: pd.DataFrame,
    national: bool,
    regencies: int = 4,
) -> pd.DataFrame:
    """Province, regency and centre for each partner.

    Outside ``national``, partners sit in the partner places of the East Java world and
    in each extra regency the world has (about half as many per school as in Surabaya).
    """
    n = len(ptype)
    if not national:
        rows = list(PARTNER_PLACES)
        known = {r[1] for r in rows}
        for name, _, kota, lat, lon, share, *_rest in EXTRA_REGENCIES[: max(regencies - 4, 0)]:
            if name not in known:
                rows.append(("Jawa Timur", name, lat, lon, 0.03 if kota else 0.06, share * 0.3))
        places = pd.DataFrame(
            rows, columns=["province", "regency", "lat", "lon", "sigma", "weight"]
        )
        w = np.tile(places["weight"].to_numpy(dtype=np.float64), (n, 1))
        uni = ptype == "university"
        w[uni, 2] *= 3.5  # Kota Malang is a university city
        local = np.isin(ptype, ["community", "school", "government"])
        w[local, 6] = 0.0
        w[np.isin(ptype, ["company", "foundation", "media"]), 6] *= 1.5
        w[ptype == "company", 5] *= 2.0  # Gresik industry
        idx = pick_rows(rng, w)
        return places.iloc[idx].reset_index(drop=True)
    reg = (
        districts.groupby(["province", "regency"], sort=False)
        .agg(lat=("lat", "mean"), lon=("lon", "mean"), weight=("weight", "sum"),
             kota=("kota", "first"))
        .reset_index()
    )  # fmt: skip
    w = reg["weight"].to_numpy(dtype=np.float64) * np.where(reg["kota"], 4.0, 1.0)
    idx = pick(rng, n, w)
    out = reg.iloc[idx].reset_index(drop=True)
    out["sigma"] = np.where(out["kota"], 0.03, 0.06)
    return out[["province", "regency", "lat", "lon", "sigma"]]


def partner_districts(
    rng: np.random.Generator, places: pd.DataFrame, districts: pd.DataFrame
) -> ObjArray:
    """A kecamatan of each partner's regency (used in local names)."""
    by_reg: dict[str, tuple[str, ...]] = dict(EXTRA_KECAMATAN)
    for reg, grp in districts.groupby("regency", sort=False)["district"]:
        by_reg[str(reg)] = tuple(grp.astype(str))
    u = rng.random(len(places))
    out = np.empty(len(places), dtype=object)
    for i, reg in enumerate(places["regency"].astype(str).tolist()):
        opts = by_reg.get(reg) or (reg.replace("Kota ", "").replace("Kabupaten ", ""),)
        out[i] = opts[int(u[i] * len(opts))]
    return out
