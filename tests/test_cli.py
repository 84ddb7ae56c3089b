"""The command line end to end on a temporary database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from matcher.cli import main
from tests.conftest import SCHOOL_COLS, school, write_csv


@pytest.fixture
def cli(settings, world_files):
    base = ["--db", settings.db_url, "--models", str(settings.models_dir), "-q"]

    def run(*args: str) -> int:
        cmd, rest = args[0], list(args[1:])
        if cmd == "models":
            return main([cmd, rest[0], *base, *rest[1:]])
        return main([cmd, *base, *rest])

    assert run("load", "--schools", str(world_files["schools"]), "--partners",
               str(world_files["partners"])) == 0  # fmt: skip
    assert run("train", "--no-eval") == 0
    return run


def test_suggest_json_shape(cli, capsys) -> None:
    capsys.readouterr()
    assert cli("suggest", "S1", "--format", "json", "-k", "3") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["school_id"] == "S1" and out["model_version"].startswith("v")
    first = out["suggestions"][0]
    assert first["rank"] == 1 and first["partner_id"] == "P-EXACT"
    assert isinstance(first["score"], float) and "Sekolah mendapat" in first["explanation"]


def test_suggest_table_and_csv(cli, capsys) -> None:
    capsys.readouterr()
    assert cli("suggest", "S1", "--explain", "--lang", "en") == 0
    out = capsys.readouterr().out
    assert "P-EXACT" in out and "The school gains" in out and "online" in out
    assert cli("suggest", "--partner", "P-SPORT", "--format", "csv") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("rank,school_id") and lines[1].split(",")[1] == "S3"


def test_rank_outputs(cli, tmp_path: Path, capsys) -> None:
    for ext in ("csv", "json", "xlsx"):
        out = tmp_path / f"r.{ext}"
        assert cli("rank", "--regency", "kota surabaya", "-k", "2", "--out", str(out)) == 0
        df = {"csv": pd.read_csv, "json": pd.read_json, "xlsx": pd.read_excel}[ext](out)
        assert {"school_id", "rank", "partner_id", "score"} <= set(df.columns)
        assert df.groupby("school_id")["rank"].max().max() <= 2
    capsys.readouterr()
    assert cli("rank", "--district", "Semampir", "-k", "1") == 0
    assert capsys.readouterr().out.startswith("school_id,rank,partner_id,score")


@pytest.mark.parametrize(
    ("args", "needle", "code"),
    [
        (("suggest", "NOPE"), "no school with id 'NOPE'", 3),
        (("suggest", "S1", "-k", "0"), "k must be between", 2),
        (("rank", "--regency", "Atlantis"), "no schools with regency 'Atlantis'", 3),
        (("rank", "--all", "--out", "x.pdf"), ".csv, .json or .xlsx", 2),
        (("models", "activate", "v0"), "no model version", 3),
        (("load",), "nothing to load", 2),
        (("evaluate",), "outcome events", 2),
    ],
)
def test_user_errors_are_one_line(cli, capsys, args, needle, code) -> None:
    capsys.readouterr()
    assert cli(*args) == code
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err and "Traceback" not in err


def test_bad_load_names_rows_and_exits_nonzero(cli, tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "bad.csv", SCHOOL_COLS, [school("Z", level="SMX", needs="x")])
    capsys.readouterr()
    assert cli("load", "--schools", str(path)) == 2
    err = capsys.readouterr().err
    assert "bad.csv rejected, nothing written" in err and "line 2" in err and "level" in err


def test_console_script_runs(settings) -> None:
    exe = Path(sys.executable).with_name("matcher")
    res = subprocess.run(
        [str(exe), "suggest", "S1", "--db", settings.db_url, "--models", str(settings.models_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 2 and "matcher train" in res.stderr
    assert "Traceback" not in res.stderr


ASSIGNMENT_HEADERS = {
    "id": ["Kecamatan", "NPSN / ID sekolah", "Sekolah", "Jenjang", "ID mitra", "Mitra",
           "Jenis mitra", "Yang didapat sekolah", "Yang didapat mitra", "Jarak (km)", "Daring",
           "Skor", "Dipatok petugas", "Alasan"],
    "en": ["District (kecamatan)", "School id (NPSN)", "School", "Level", "Partner id",
           "Partner", "Partner type", "What the school gains", "What the partner gains",
           "Distance (km)", "Online", "Score", "Pinned by officer", "Reason"],
}  # fmt: skip
SHEETS = {
    "id": ["Penugasan", "Alternatif", "Ringkasan", "Kapasitas mitra", "Sekolah tanpa mitra",
           "Mitra tanpa sekolah"],
    "en": ["Assignments", "Alternatives", "Summary", "Partner capacity",
           "Schools without partner", "Partners without school"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "en"])
def test_rank_allocate_excel(cli, tmp_path: Path, capsys, lang: str) -> None:
    """The workbook an officer reads: one row per assignment with headers in their
    language, frozen and filtered; alternatives apart; names on the capacity sheet; a
    summary in words; capacities kept."""
    from openpyxl import load_workbook

    out = tmp_path / "alloc.xlsx"
    args = ["rank", "--regency", "Kota Surabaya", "--allocate", "-k", "3", "--out", str(out)]
    assert cli(*args, "--lang", lang) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS[lang]
    ws = wb[SHEETS[lang][0]]
    heads = [c.value for c in ws[1]]
    assert heads[:11] == ASSIGNMENT_HEADERS[lang][:11]  # then contacts, when records have them
    assert heads[-3:] == ASSIGNMENT_HEADERS[lang][-3:]
    assert {"id": "Kontak sekolah", "en": "Contact school"}[lang] in heads
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    for cell in ws[1]:  # every column at least as wide as its header
        assert ws.column_dimensions[cell.column_letter].width >= len(cell.value)
    sheets = pd.read_excel(out, sheet_name=None, dtype={ASSIGNMENT_HEADERS[lang][1]: str})
    a = sheets[SHEETS[lang][0]]
    school_col, partner_col = ASSIGNMENT_HEADERS[lang][1], ASSIGNMENT_HEADERS[lang][4]
    assert "P-EXACT" in a.loc[a[school_col] == "S1", partner_col].tolist()
    assert a[ASSIGNMENT_HEADERS[lang][7]].notna().all()  # what the school gains, in words
    alt = sheets[SHEETS[lang][1]]
    assert not set(zip(alt.iloc[:, 0], alt.iloc[:, 3], strict=True)) & set(
        zip(a[school_col], a[partner_col], strict=True)
    )
    cap = sheets[SHEETS[lang][3]]
    assert cap.iloc[:, 1].notna().all()  # partner names
    load = a.groupby(partner_col).size()
    caps = cap.set_index(cap.columns[0])[cap.columns[2]]
    assert (load <= caps.reindex(load.index)).all()
    summary = [r[0] for r in wb[SHEETS[lang][2]].iter_rows(values_only=True) if r and r[0]]
    headline = {"id": "sekolah mendapat mitra", "en": "schools get a partner"}[lang]
    assert headline in summary[0]
    assert not any(str(v).startswith("{") for v in summary)  # words, not JSON
    assert "allocated (optimal):" in capsys.readouterr().err


def test_rank_allocate_stable_pin_and_forbid(cli, tmp_path: Path, capsys) -> None:
    out = tmp_path / "alloc.csv"
    args = ["rank", "--regency", "Kota Surabaya", "--allocate", "--out", str(out)]
    assert cli(*args, "--mode", "stable", "--pin", "S1", "P-ONESIDED",
               "--forbid", "S1", "P-EXACT") == 0  # fmt: skip
    df = pd.read_csv(out)
    got = set(
        zip(
            df.loc[df["assigned"].eq(True), "school_id"],
            df.loc[df["assigned"].eq(True), "partner_id"],
            strict=True,
        )
    )
    assert ("S1", "P-ONESIDED") in got and ("S1", "P-EXACT") not in got
    assert {"school_id", "rank", "partner_id", "score", "assigned"} <= set(df.columns)
    assert "allocated (stable)" in capsys.readouterr().err
    assert cli(*args, "--pin", "S1", "P-SMK") == 2
    assert "does not reach" in capsys.readouterr().err
    assert cli("rank", "--regency", "Kota Surabaya", "--mode", "stable") == 2
    assert "need --allocate" in capsys.readouterr().err


def test_rank_allocate_candidates(cli, tmp_path: Path, capsys) -> None:
    out = tmp_path / "alloc.json"
    args = ["rank", "--regency", "Kota Surabaya", "--allocate", "-k", "2", "--out", str(out)]
    assert cli(*args, "--candidates", "1") == 0
    one = json.loads(out.read_text("utf-8"))
    assert cli(*args, "--candidates", "6") == 0
    six = json.loads(out.read_text("utf-8"))
    # listed: the top k plus anything assigned, among the candidates
    assert one["summary"]["candidates"] == 1 and six["summary"]["candidates"] == 6
    assert six["summary"]["schools_matched"] >= one["summary"]["schools_matched"]
    capsys.readouterr()
    assert cli(*args, "--candidates", "0") == 2
    err = capsys.readouterr().err
    assert "--candidates must be between 1 and 200" in err and "Traceback" not in err
    assert cli("rank", "--regency", "Kota Surabaya", "--candidates", "5") == 2
    assert "need --allocate" in capsys.readouterr().err


def test_evaluate_table_json_and_figure(settings, tmp_path: Path, capsys) -> None:
    from matplotlib import image

    from tests.test_outcomes import reliability_world

    files = reliability_world(tmp_path)
    base = ["--db", settings.db_url, "--models", str(settings.models_dir), "-q"]
    load = ["--schools", str(files["schools"]), "--partners", str(files["partners"])]
    assert main(["load", *base, *load, "--outcomes", str(files["outcomes"])]) == 0
    assert main(["train", *base, "--no-eval"]) == 0
    capsys.readouterr()
    fig = tmp_path / "report.png"
    assert main(["evaluate", *base, "--figure", str(fig)]) == 0
    table = capsys.readouterr().out
    assert "schools lists" in table and "partners lists" in table and "content only" in table
    assert "gain over content only" in table
    pixels = image.imread(fig)  # a real PNG: two rows of two panels
    assert pixels.shape[0] > 800 and pixels.shape[1] > 1200
    assert main(["evaluate", *base, "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    model = next(m for name, m in rep["models"].items() if name.startswith("model"))
    assert set(model) >= {"schools", "partners", "coverage", "gini", "vs_reference"}
    assert rep["reference"] == "content only" and rep["segments"]


def test_serve_preparation_retrains_when_active_model_is_unsigned(world_engine, capsys) -> None:
    from matcher.cli import prepare_demo
    from matcher.model_store import MANIFEST

    old = world_engine.models.active_version()
    mpath = world_engine.models.root / old / MANIFEST
    man = json.loads(mpath.read_text())
    del man["signature"]  # as every model saved before signing
    mpath.write_text(json.dumps(man))
    prepare_demo(world_engine)
    assert "is not signed" in capsys.readouterr().err
    new = world_engine.models.active_version()
    assert new != old and world_engine.suggest("S1")["model_version"] == new


def test_models_list_shows_refused_versions(cli, settings, capsys) -> None:
    from matcher.model_store import MANIFEST

    (vdir,) = [d for d in settings.models_dir.iterdir() if d.is_dir()]
    man = json.loads((vdir / MANIFEST).read_text())
    man["metrics"] = {"schools": {"ndcg": 0.99}}
    (vdir / MANIFEST).write_text(json.dumps(man))
    capsys.readouterr()
    assert cli("models", "list") == 0
    out = capsys.readouterr().out
    assert f"* {vdir.name}  REFUSED: model {vdir.name}: manifest signature" in out
    assert "0.99" not in out
    assert cli("suggest", "S1") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "signature does not match" in err


@pytest.mark.parametrize(
    "args",
    [
        ("train", "--no-eval", "--outcome-weight", "5"),
        ("train", "--no-eval", "--outcome-weight", "nan"),
        ("rank", "--district", "Semampir", "--allocate", "--equity-weight", "nan"),
        ("rank", "--district", "Semampir", "--allocate", "--equity-weight", "inf"),
        ("rank", "--district", "Semampir", "-k", "1000"),
        ("suggest", "S1", "-k", "0"),
    ],
)
def test_options_bounded_like_the_api(cli, capsys, args) -> None:
    capsys.readouterr()
    assert cli(*args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "must be between" in err


def test_output_into_a_closed_pipe_exits_quietly(cli, settings, tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "matcher.cli", "rank", "--all", "-q", "-k", "5",
           "--db", settings.db_url, "--models", str(settings.models_dir)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # before it writes (imports take a while): as `| head` that quit
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.wait(timeout=120) == 0 and err == ""


def test_bad_file_error_names_the_file(cli, tmp_path: Path, capsys) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("school_id,name\nA,Ñgawi\n".encode("latin-1"))
    capsys.readouterr()
    assert cli("load", "--schools", str(path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "line 2" in err and "UTF-8" in err


def test_unknown_regency_suggests_the_closest(cli, capsys) -> None:
    capsys.readouterr()
    assert cli("rank", "--regency", "Kota Surabya") == 3
    err = capsys.readouterr().err
    assert "did you mean 'Kota Surabaya'?" in err and err.count("\n") == 1
    assert cli("rank", "--district", "semampir", "-k", "1") == 0  # case ignored
