"""The evaluation report as a figure a district officer would rather look at than read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only; no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_report(report: dict[str, Any], path: Path) -> Path:
    """Bar charts: NDCG@k and recall@k of each model for schools' and partners' lists,
    NDCG@k per school segment for the model and the content-only baseline, and (when
    the report has a reference) each model's gain over it with its 95% interval: a bar
    whose whisker stays right of zero is a gain that holdout luck does not explain."""
    models = list(report["models"])
    k = report["k"]
    gains = [m for m in models if "vs_reference" in report["models"][m]]
    if gains:  # two rows of two
        fig, grid = plt.subplots(2, 2, figsize=(15, 10), constrained_layout=True)
        axes = grid.ravel()
    else:
        fig, axes = plt.subplots(1, 3, figsize=(17, 5.5), constrained_layout=True)
    y = np.arange(len(models))
    for ax, side, title in (
        (axes[0], "schools", "Partners suggested to schools"),
        (axes[1], "partners", "Schools suggested to partners"),
    ):
        nd = [report["models"][m][side]["ndcg"] for m in models]
        rc = [report["models"][m][side]["recall"] for m in models]
        ax.barh(y - 0.2, nd, 0.4, label=f"NDCG@{k}", color="#2b7bba")
        ax.barh(y + 0.2, rc, 0.4, label=f"recall@{k}", color="#f39c12")
        ax.set_yticks(y, models)
        ax.invert_yaxis()
        ax.set_xlim(0, max(max(nd + rc) * 1.15, 0.05))
        ax.set_title(title)
        ax.legend(loc="lower right")
        for i, v in enumerate(nd):
            ax.text(v, i - 0.2, f" {v:.3f}", va="center", fontsize=8)
    seg = report.get("segments", {})
    shown = [m for m in models if m.startswith("model") or m == "content only"]
    keys = list(seg)
    ys = np.arange(len(keys))
    ax = axes[2]
    for j, m in enumerate(shown):
        vals = [seg[key].get(m, 0.0) for key in keys]
        ax.barh(ys + (j - 0.5) * 0.4, vals, 0.4, label=m)
    ax.set_yticks(ys, [f"{key} (n={seg[key]['n']})" for key in keys], fontsize=8)
    ax.invert_yaxis()
    ax.set_title(f"NDCG@{k} per school segment")
    ax.legend(loc="lower right", fontsize=8)
    if gains:
        ax = axes[3]
        yg = np.arange(len(gains))
        for j, (side, color) in enumerate((("schools", "#2b7bba"), ("partners", "#8e44ad"))):
            g = [report["models"][m]["vs_reference"][side] for m in gains]
            mid = np.array([x["gain"] for x in g])
            err = np.array([[x["gain"] - x["low"] for x in g], [x["high"] - x["gain"] for x in g]])
            label = "schools' lists" if side == "schools" else "partners' lists"
            ax.barh(yg + (j - 0.5) * 0.4, mid, 0.4, xerr=err, color=color, label=label, capsize=3)
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set_yticks(yg, gains)
        ax.invert_yaxis()
        ax.set_title(f"Gain in NDCG@{k} over {report['reference']}, with 95% interval")
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(
        f"Time-based holdout from {report['cutoff'][:10]}: {report['test_pairs']} new "
        f"partnerships, {report['test_schools']} schools, {report['test_partners']} partners"
    )
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
