"""Model versions in words an officer reads: when each was trained, on how much, whether
it is in use, how well it found the partnerships that really formed next, and how it
compares with the model that was active — without NDCG or bootstrap jargon — and one
small figure with one message.
"""

from __future__ import annotations

import io
from typing import Any

WORDS = {
    "id": {
        "trained": "Dilatih {date} dari {schools} sekolah, {partners} mitra dan {outcomes} "
        "catatan kemitraan.",
        "active": "Sedang dipakai.",
        "refused": "Tidak dapat dipakai: {reason}",
        "found": "Dari kemitraan baru yang benar-benar terjadi sejak {cutoff}, {share} sudah "
        "ada di 10 saran teratas sekolahnya.",
        "better": "Model ini menempatkan kemitraan yang berhasil {pct}% lebih tinggi dari "
        "model yang aktif saat itu ({version}).",
        "worse": "Model ini menempatkan kemitraan yang berhasil {pct}% lebih rendah dari "
        "model yang aktif saat itu ({version}), jadi tidak diaktifkan.",
        "same": "Model ini sama baiknya dengan model yang aktif saat itu ({version}).",
        "no_check": "Belum diuji dengan data terbaru (dilatih tanpa uji).",
        "figure_title": "Kemitraan baru yang ada di 10 saran teratas",
        "figure_reading": "Versi terbaru menemukan {share} kemitraan baru di 10 saran teratas.",
        "figure_none": "Belum ada versi yang diuji.",
    },
    "en": {
        "trained": "Trained {date} on {schools} schools, {partners} partners and {outcomes} "
        "partnership records.",
        "active": "In use.",
        "refused": "Cannot be used: {reason}",
        "found": "Of the new partnerships that really formed since {cutoff}, {share} were "
        "already among their school's top 10 suggestions.",
        "better": "This model ranks successful partnerships {pct}% higher than the model "
        "active at the time ({version}).",
        "worse": "This model ranks successful partnerships {pct}% lower than the model active "
        "at the time ({version}), so it was not activated.",
        "same": "This model is as good as the model active at the time ({version}).",
        "no_check": "Not checked on recent data (trained without the check).",
        "figure_title": "New partnerships found in the top 10 suggestions",
        "figure_reading": "The latest tested version finds {share} of new partnerships in "
        "the top 10 suggestions.",
        "figure_none": "No version has been tested yet.",
    },
}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _n(x: Any, lang: str) -> str:
    text = f"{int(x):,}"
    return text.replace(",", ".") if lang == "id" else text


def describe(manifest: dict[str, Any], lang: str = "id") -> dict[str, Any]:
    """One version as ``{version, active, state, sentences, recall}``."""
    w = WORDS.get(lang, WORDS["id"])
    out: dict[str, Any] = {
        "version": manifest.get("version"),
        "active": bool(manifest.get("active")),
        "state": manifest.get("state", "ok"),
        "sentences": [],
        "recall": None,
    }
    if out["state"] != "ok":
        out["sentences"].append(w["refused"].format(reason=manifest.get("reason", "")))
        return out
    data = manifest.get("data") or {}
    out["sentences"].append(
        w["trained"].format(
            date=str(manifest.get("created_at", ""))[:10],
            schools=_n(data.get("schools", 0), lang),
            partners=_n(data.get("partners", 0), lang),
            outcomes=_n(data.get("outcomes", 0), lang),
        )
    )
    if out["active"]:
        out["sentences"].append(w["active"])
    m = manifest.get("metrics") or {}
    schools = m.get("schools") or {}
    if "recall" in schools:
        out["recall"] = float(schools["recall"])
        cutoff = str(m.get("cutoff", ""))[:10]
        out["sentences"].append(w["found"].format(cutoff=cutoff, share=_pct(out["recall"])))
        champ = m.get("champion") or {}
        old = (champ.get("schools") or {}).get("ndcg")
        new = schools.get("ndcg")
        if old and new is not None and champ.get("version") != manifest.get("version"):
            change = new / old - 1.0
            key = "better" if change > 0.005 else "worse" if change < -0.005 else "same"
            out["sentences"].append(
                w[key].format(pct=f"{abs(100 * change):.0f}", version=champ.get("version"))
            )
    else:
        out["sentences"].append(w["no_check"])
    return out


def describe_versions(manifests: list[dict[str, Any]], lang: str = "id") -> list[dict[str, Any]]:
    """Every stored version described (oldest first, as the store lists them)."""
    return [describe(m, lang) for m in manifests]


def figure(described: list[dict[str, Any]], lang: str = "id") -> tuple[str, str]:
    """One bar per tested version: the share of new partnerships its schools' top 10
    held; returns (inline SVG, its one-line reading)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = WORDS.get(lang, WORDS["id"])
    tested = [d for d in described if d["recall"] is not None][-8:]
    if not tested:
        return "", w["figure_none"]
    fig, ax = plt.subplots(figsize=(4.2, 0.35 * len(tested) + 1.0))
    labels = [str(d["version"])[1:9] + ("*" if d["active"] else "") for d in tested]
    vals = [100 * d["recall"] for d in tested]
    ax.barh(labels, vals, color=["#1a9850" if d["active"] else "#9ecae1" for d in tested])
    for i, v in enumerate(vals):
        ax.text(v, i, f" {v:.0f}%", va="center", fontsize=8)
    ax.set_xlim(0, max(100.0, max(vals) * 1.15))
    ax.set_title(w["figure_title"], fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    buf = io.StringIO()
    plt.rcParams["svg.fonttype"] = "none"
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.find("<svg") :], w["figure_reading"].format(share=_pct(tested[-1]["recall"]))
