"""The allocation as an Excel workbook a district officer reads without help.

Sheets: the assignments (one row per assigned pair: kecamatan, school, partner, what
each side gains, distance, contacts, score, reason), the alternatives, a summary in
words and numbers with the comparison of methods, the partners' capacity with names,
and why schools and partners were left out. Headers in Indonesian (English with
``lang="en"``), header row frozen, filters on, columns sized to their content. Every
text cell is a string cell (:mod:`matcher.export`), so no name becomes a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook

from matcher.allocation import Allocation
from matcher.export import frame_rows, text_cell, write_table
from matcher.whynot import reason_label

CONTACT_LABELS = {
    "id": {"contact_name": "kontak", "phone": "telepon", "email": "email", "whatsapp": "WhatsApp"},
    "en": {"contact_name": "contact", "phone": "phone", "email": "e-mail", "whatsapp": "WhatsApp"},
}

WORDS: dict[str, dict[str, str]] = {
    "id": {
        "assignments": "Penugasan",
        "alternatives": "Alternatif",
        "summary": "Ringkasan",
        "capacity": "Kapasitas mitra",
        "why_schools": "Sekolah tanpa mitra",
        "why_partners": "Mitra tanpa sekolah",
        "district": "Kecamatan",
        "school_id": "NPSN / ID sekolah",
        "school_name": "Sekolah",
        "level": "Jenjang",
        "ownership": "Status",
        "partner_id": "ID mitra",
        "partner_name": "Mitra",
        "partner_type": "Jenis mitra",
        "school_gains": "Yang didapat sekolah",
        "partner_gains": "Yang didapat mitra",
        "distance_km": "Jarak (km)",
        "online": "Daring",
        "score": "Skor",
        "pinned": "Dipatok petugas",
        "explanation": "Alasan",
        "school": "sekolah",
        "partner": "mitra",
        "rank": "Peringkat",
        "capacity_left": "Sisa kapasitas",
        "assigned": "Ditugaskan",
        "remaining": "Sisa setelah alokasi",
        "reason": "Sebab",
        "by": "Kalah dari (ID)",
        "yes": "ya",
        "no": "tidak",
        "measure": "Ukuran",
        "value": "Nilai",
        "note": "Keterangan",
        "method": "Metode",
        "covered": "Sekolah tercakup",
        "benefit": "Total manfaat",
        "gini": "Ketimpangan paparan mitra (Gini)",
        "blocking": "Pasangan pemblokir",
        "over": "Mitra melebihi kapasitas",
        "seconds": "Waktu (detik)",
        "optimal": "Optimal (pemerataan)",
        "stable": "Stabil (deferred acceptance)",
        "greedy": "Terbaik-dulu (greedy)",
        "top_k": "Top-k biasa (tanpa kapasitas mitra)",
        "headline": "{n_m} dari {n} sekolah mendapat mitra ({share}); {a} penugasan kepada {p} "
        "mitra; tidak ada mitra melebihi kapasitas.",
        "headline_over": "{n_m} dari {n} sekolah mendapat mitra ({share}); {a} penugasan kepada "
        "{p} mitra.",
        "m_schools": "Sekolah dalam alokasi",
        "m_matched": "Sekolah mendapat mitra",
        "m_unmatched": "Sekolah belum mendapat mitra",
        "m_assignments": "Penugasan",
        "m_partners": "Mitra yang terlibat",
        "m_benefit": "Total manfaat (jumlah skor)",
        "m_gini": "Ketimpangan paparan mitra (0 = merata, 1 = satu mitra saja)",
        "m_blocking": "Pasangan pemblokir (sekolah dan mitra yang sama-sama lebih memilih satu "
        "sama lain)",
        "m_weak": "Sekolah kurang sumber daya yang mendapat mitra",
        "m_mode": "Metode alokasi",
        "m_equity": "Bobot pemerataan",
        "m_model": "Versi model",
        "m_pinned": "Pasangan dipatok / dikecualikan",
        "m_reason": "Belum dapat mitra: {why}",
        "compare": "Perbandingan metode",
        "n_blocking": "{n} pasangan",
    },
    "en": {
        "assignments": "Assignments",
        "alternatives": "Alternatives",
        "summary": "Summary",
        "capacity": "Partner capacity",
        "why_schools": "Schools without partner",
        "why_partners": "Partners without school",
        "district": "District (kecamatan)",
        "school_id": "School id (NPSN)",
        "school_name": "School",
        "level": "Level",
        "ownership": "Ownership",
        "partner_id": "Partner id",
        "partner_name": "Partner",
        "partner_type": "Partner type",
        "school_gains": "What the school gains",
        "partner_gains": "What the partner gains",
        "distance_km": "Distance (km)",
        "online": "Online",
        "score": "Score",
        "pinned": "Pinned by officer",
        "explanation": "Reason",
        "school": "school",
        "partner": "partner",
        "rank": "Rank",
        "capacity_left": "Capacity left",
        "assigned": "Assigned",
        "remaining": "Left after allocation",
        "reason": "Why",
        "by": "Outranked by (ids)",
        "yes": "yes",
        "no": "no",
        "measure": "Measure",
        "value": "Value",
        "note": "Note",
        "method": "Method",
        "covered": "Schools covered",
        "benefit": "Total benefit",
        "gini": "Partner exposure inequality (Gini)",
        "blocking": "Blocking pairs",
        "over": "Partners over capacity",
        "seconds": "Time (s)",
        "optimal": "Optimal (equity)",
        "stable": "Stable (deferred acceptance)",
        "greedy": "Best-first greedy",
        "top_k": "Plain top-k (partner capacity ignored)",
        "headline": "{n_m} of {n} schools get a partner ({share}); {a} assignments to {p} "
        "partners; no partner over capacity.",
        "headline_over": "{n_m} of {n} schools get a partner ({share}); {a} assignments to {p} "
        "partners.",
        "m_schools": "Schools in the allocation",
        "m_matched": "Schools with a partner",
        "m_unmatched": "Schools without a partner",
        "m_assignments": "Assignments",
        "m_partners": "Partners involved",
        "m_benefit": "Total benefit (sum of scores)",
        "m_gini": "Partner exposure inequality (0 = even, 1 = one partner only)",
        "m_blocking": "Blocking pairs (a school and a partner who both prefer each other)",
        "m_weak": "Under-resourced schools with a partner",
        "m_mode": "Allocation method",
        "m_equity": "Equity weight",
        "m_model": "Model version",
        "m_pinned": "Pairs pinned / forbidden",
        "m_reason": "Without partner: {why}",
        "compare": "Comparison of methods",
        "n_blocking": "{n} pairs",
    },
}

METHODS = ("optimal", "stable", "greedy", "top_k")


def _widths(frame: pd.DataFrame, headers: list[str]) -> list[float]:
    """Column widths from the header and the content (95th percentile, capped)."""
    out = []
    for col, head in zip(frame.columns, headers, strict=True):
        s = frame[col]
        if len(s):
            lengths = s.astype(str).str.len()
            content = float(np.quantile(lengths, 0.95))
        else:
            content = 0.0
        out.append(min(max(len(head), content) + 2, 70.0))
    return out


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, headers: list[str]) -> None:
    ws = wb.create_sheet(title)
    write_table(ws, headers, frame_rows(frame), _widths(frame, headers))


def _yes_no(values: pd.Series, w: dict[str, str]) -> pd.Series:
    return values.map(lambda v: w["yes"] if bool(v) else w["no"])


def assignment_sheet(alloc: Allocation, lang: str = "id") -> tuple[pd.DataFrame, list[str]]:
    """The assignments as the workbook shows them: columns and their headers."""
    w = WORDS[lang]
    pairs = alloc.pairs
    cols = [
        "district", "school_id", "school_name", "level", "partner_id", "partner_name",
        "partner_type", "school_gains", "partner_gains", "distance_km", "online",
    ]  # fmt: skip
    frame = pairs.reindex(columns=cols).copy()
    heads = [w[c] for c in cols]
    contact = CONTACT_LABELS[lang]
    for side in ("school", "partner"):
        for c, label in contact.items():
            col = f"{side}_{c}"
            if col in pairs.columns:
                frame[col] = pairs[col]
                heads.append(f"{label} {w[side]}".capitalize())
    for c in ("score", "pinned", "explanation"):
        frame[c] = pairs[c] if c in pairs.columns else None
        heads.append(w[c])
    frame["online"] = _yes_no(frame["online"], w)
    frame["pinned"] = _yes_no(frame["pinned"], w)
    frame["distance_km"] = frame["distance_km"].round(1)
    frame["score"] = frame["score"].round(4)
    return frame, heads


def _summary_rows(alloc: Allocation, lang: str) -> list[list[Any]]:
    w = WORDS[lang]
    s = alloc.summary
    n, n_m = s["schools"], s["schools_matched"]
    share = f"{100 * n_m / n:.0f}%" if n else "-"
    key = "headline" if s["partners_over_capacity"] == 0 else "headline_over"
    rows: list[list[Any]] = [
        [w[key].format(n_m=n_m, n=n, share=share, a=s["assignments"], p=s["partners_used"])],
        [],
        [w["measure"], w["value"], w["note"]],
        [w["m_mode"], w.get(str(s.get("mode", "optimal")), s.get("mode")), None],
        [w["m_equity"], s.get("equity_weight"), None],
        [w["m_model"], s.get("model_version"), None],
        [w["m_schools"], n, None],
        [w["m_matched"], n_m, share],
        [w["m_unmatched"], s["schools_unmatched"], None],
    ]
    if len(alloc.why_not_schools):
        for reason, count in alloc.why_not_schools["reason"].value_counts().items():
            example = alloc.why_not_schools.loc[
                alloc.why_not_schools["reason"] == reason, "explanation"
            ].iloc[0]
            label = reason_label(str(reason), lang)
            rows.append([w["m_reason"].format(why=label), int(count), example])
    rows += [
        [w["m_assignments"], s["assignments"], None],
        [w["m_partners"], s["partners_used"], None],
        [w["m_pinned"], f"{s.get('pinned', 0)} / {s.get('forbidden', 0)}", None],
        [w["m_benefit"], s["total_benefit"], None],
        [w["m_gini"], s["exposure_gini"], None],
        [w["m_blocking"], s["blocking_pairs"], None],
        [
            w["m_weak"],
            s["underresourced_matched_share"],
            f"{100 * s['underresourced_matched_share']:.0f}%",
        ],
        [],
        [w["compare"]],
        [
            w["method"],
            w["covered"],
            w["benefit"],
            w["gini"],
            w["blocking"],
            w["over"],
            w["seconds"],
        ],
    ]
    for m in METHODS:
        c = s.get("comparison", {}).get(m)
        if c:
            rows.append(
                [
                    w[m],
                    c["schools_matched"],
                    c["total_benefit"],
                    c["exposure_gini"],
                    c["blocking_pairs"],
                    c["partners_over_capacity"],
                    c["seconds"],
                ]
            )
    return rows


def write_allocation_workbook(
    alloc: Allocation, out: str | Path | IO[bytes], lang: str = "id"
) -> None:
    """Write ``alloc`` (from :meth:`matcher.engine.Engine.allocate`) as an .xlsx file."""
    lang = lang if lang in WORDS else "id"
    w = WORDS[lang]
    wb = Workbook(write_only=True)
    frame, heads = assignment_sheet(alloc, lang)
    _sheet(wb, w["assignments"], frame, heads)

    a = alloc.assignments
    alt = a[a["assigned"].eq(False)]
    alt = alt[alt["partner_id"].notna()]
    alt_cols = ["school_id", "school_name", "rank", "partner_id", "partner_name", "score"]
    alt_frame = alt.reindex(columns=alt_cols)
    _sheet(wb, w["alternatives"], alt_frame, [w[c] for c in alt_cols])

    ws = wb.create_sheet(w["summary"])
    ws.column_dimensions["A"].width = 62
    for col in "BCDEFG":
        ws.column_dimensions[col].width = 18
    for row in _summary_rows(alloc, lang):
        ws.append([text_cell(ws, v) for v in row])

    load = alloc.partner_load.copy()
    load["remaining"] = load["capacity_left"] - load["assigned"]
    cap_cols = ["partner_id", "name", "capacity_left", "assigned", "remaining"]
    load = load.reindex(columns=cap_cols)
    cap_heads = [
        w["partner_id"],
        w["partner_name"],
        w["capacity_left"],
        w["assigned"],
        w["remaining"],
    ]
    _sheet(wb, w["capacity"], load, cap_heads)

    ws_cols = ["district", "school_id", "name", "reason", "explanation", "by"]
    why = alloc.why_not_schools.reindex(columns=ws_cols).copy()
    why["reason"] = why["reason"].map(lambda r: reason_label(str(r), lang))
    why["by"] = why["by"].map(lambda v: ", ".join(v) if isinstance(v, list) else v)
    _sheet(
        wb,
        w["why_schools"],
        why,
        [w["district"], w["school_id"], w["school_name"], w["reason"], w["explanation"], w["by"]],
    )
    wp_cols = ["partner_id", "name", "reason", "explanation"]
    whyp = alloc.why_not_partners.reindex(columns=wp_cols).copy()
    whyp["reason"] = whyp["reason"].map(lambda r: reason_label(str(r), lang))
    _sheet(
        wb,
        w["why_partners"],
        whyp,
        [w["partner_id"], w["partner_name"], w["reason"], w["explanation"]],
    )
    wb.save(out)


def write_ranking_workbook(frame: pd.DataFrame, out: str | Path | IO[bytes]) -> None:
    """A plain ranking (``matcher rank --out .xlsx`` without ``--allocate``) as one
    sheet, text cells as strings."""
    wb = Workbook(write_only=True)
    headers = [str(c) for c in frame.columns]
    _sheet(wb, "ranking", frame, headers)
    wb.save(out)
