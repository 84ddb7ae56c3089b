"""School registers as the ministry exports them (docs/files.md, "Real school
registers"): messy values in, one clean regency per kabupaten out, nothing written on a
bad file, and a school's own profile kept when its register row is loaded again."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from matcher import regions, schema
from matcher.cli import main
from matcher.errors import ValidationError

HEADER = [
    "No", "NPSN", "Nama Satuan Pendidikan", "Bentuk Pendidikan", "Status Sekolah", "Alamat",
    "Desa/Kelurahan", "Kecamatan", "Kab.-Kota", "Propinsi", "Lintang", "Bujur", "Akreditasi",
    "Peserta Didik", "Guru", "Akses Internet", "Sumber Listrik",
]  # fmt: skip
ROWS: list[tuple[Any, ...]] = [
    (1, 20532541.0, "SMP PGRI 6 SURABAYA", "SMP", "S", "Jl Bulak", "Wonokusumo",
     "Kec. Semampir", "Kota Surabaya", "Prov. Jawa Timur", -7.221, 112.749, "B", 180, 14,
     "Telkom", "PLN"),
    (2, "2032 5309", "SD NEGERI SIDOKARE 1", "SD", "N", "Jl A", "Sidokare", "Sidoarjo",
     "Kab.  Sidoarjo", "Jawa Timur", -7.45, 112.71, "C", 200, 10, "Tidak Ada", "PLN"),
    (3, 20325310, "SD NEGERI SIDOKARE 2", "SD", "Negeri", "Jl B", "Sidokare", "Sidoarjo",
     "KABUPATEN SIDOARJO", "JAWA TIMUR", 0, 0, "A", 150, 9, "Ada", "Tidak Ada"),
    (4, 20325311, "SMA LB HARAPAN", "SMA LB", "Swasta", "Jl C", "Sidokare", "Sidoarjo",
     "Kab Sidoarjo", "Jawa Timur", -7.46, 112.72, "Belum Terakreditasi", 30, 6, "Ada", "PLN"),
    (5, 20325312, "TK MELATI", "TK", "S", "Jl D", "Sidokare", "Sidoarjo", "Kab Sidoarjo",
     "Jawa Timur", -7.46, 112.72, "", 30, 6, "Ada", "PLN"),
    (6, 10505001, "SMP NEGERI 1 SEKERNAN", "SMP", "N", "Jl E", "Sekernan", "Sekernan",
     "Kab.  Muaro Jambi", "Jambi", -1.6, 103.4, "B", 300, 20, "Ada", "PLN"),
    (7, 20100001, "SMA NEGERI 12 JAKARTA", "SMA", "N", "Jl F", "Pulo Gebang", "Cakung",
     "Kota Adm. Jakarta Timur", "DKI Jakarta", -6.2, 106.95, "A", 900, 60, "Ada", "PLN"),
]  # fmt: skip


def write_xlsx(path: Path, rows: list[tuple[Any, ...]], title: bool = True) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:  # exports start with a title block above the header
        sheet.append(["Data Satuan Pendidikan (Sekolah) Per Kab/Kota"])
        sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "dapodik.xlsx", ROWS)


def test_messy_register_reads_as_clean_contract_rows(register: Path) -> None:
    frame, warnings = schema.read_file("schools", register)
    by_id = frame.set_index("school_id")
    # NPSN written as a float or with a space; the TK row is skipped, not an error
    assert sorted(by_id.index) == [
        "10505001", "20100001", "20325309", "20325310", "20325311", "20532541",
    ]  # fmt: skip
    assert set(frame.loc[frame["province"] == "Jawa Timur", "regency"]) == {
        "Kota Surabaya",
        "Kabupaten Sidoarjo",
    }
    assert by_id.loc["10505001", "regency"] == "Kabupaten Muaro Jambi"
    assert by_id.loc["20100001", "regency"] == "Kota Administrasi Jakarta Timur"
    assert by_id.loc["20100001", "province"] == "Daerah Khusus Ibukota Jakarta"
    assert by_id.loc["20532541", "district"] == "Semampir"
    assert by_id.loc["20325309", "ownership"] == "negeri"
    assert by_id.loc["20325311", "ownership"] == "swasta"
    assert by_id.loc["20325311", "level"] == "SLB"
    assert by_id.loc["20325311", "accreditation"] == "none"
    # implied needs: no internet, accreditation C; no electricity
    assert by_id.loc["20325309", "needs"] == ["internet_connectivity", "teacher_training"]
    assert by_id.loc["20325310", "needs"] == ["infrastructure"]
    assert by_id.loc["20532541", "needs"] == []
    # coordinates 0/0 filled from the kecamatan's other schools, with a warning
    assert by_id.loc["20325310", "latitude"] == pytest.approx((-7.45 - 7.46) / 2)
    text = "\n".join(warnings)
    assert "no coordinates for 1 school" in text and "NPSN 20325310" in text
    assert "1 TK" in text and "marked implied" in text


def test_bad_row_rejects_the_whole_register_naming_row_and_column(tmp_path: Path, engine) -> None:
    bad = (8, 20325313, "SD X", "SD", "N", "", "", "Sidoarjo", "Kab. Sidorjo", "Jawa Timur",
           -7.4, 112.7, "B", 1, 1, "", "")  # fmt: skip
    path = write_xlsx(tmp_path / "bad.xlsx", [*ROWS, bad])
    with pytest.raises(ValidationError) as err:
        engine.load_files(schools=path)
    message = str(err.value)
    assert "line 11" in message and "regency" in message
    assert "'Kabupaten Sidoarjo'" in message  # the nearest official name
    assert engine.store.ids("schools") == set()  # nothing written


def test_csv_register_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "dapodik.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADER)
        for row in ROWS[1:3]:
            w.writerow([str(v).replace(".", ",") if isinstance(v, float) else v for v in row])
    frame, _ = schema.read_file("schools", path)
    assert list(frame["regency"]) == ["Kabupaten Sidoarjo", "Kabupaten Sidoarjo"]
    assert frame["latitude"].iloc[0] == pytest.approx(-7.45)


@pytest.mark.parametrize(
    ("written", "official"),
    [
        ("Kab. Sidoarjo", "Kabupaten Sidoarjo"),
        ("KABUPATEN  SIDOARJO", "Kabupaten Sidoarjo"),
        ("Kota Adm. Jakarta Timur", "Kota Administrasi Jakarta Timur"),
        ("Kab Muaro Jambi", "Kabupaten Muaro Jambi"),
    ],
)
def test_regency_spellings(written: str, official: str) -> None:
    assert regions.regency(written).name == official


def test_ambiguous_regency_names_both() -> None:
    with pytest.raises(regions.RegionError, match="Kabupaten Bogor.*Kota Bogor"):
        regions.regency("Bogor")
    assert regions.regency("Kota Bogor").name == "Kota Bogor"


def test_every_spelling_selects_the_same_schools(
    register: Path, world_files: dict[str, Path], engine
) -> None:
    engine.load_files(schools=register, partners=world_files["partners"])
    engine.train(evaluate=False)
    names = ("Kab. Sidoarjo", "Kabupaten Sidoarjo", "KABUPATEN SIDOARJO")
    ids = engine.snapshot()[2].schools["school_id"].to_numpy()
    served = [set(ids[engine.select_schools(regency=name)]) for name in names]
    indexed = [set(engine.batch(regency=name)[0][2].schools["school_id"]) for name in names]
    want = {"20325309", "20325310", "20325311"}
    assert served == indexed == [want, want, want]


def test_reloading_a_register_keeps_what_the_school_filled_in(
    register: Path, world_files: dict[str, Path], engine
) -> None:
    engine.load_files(schools=world_files["schools"])
    engine.load_files(schools=register)
    profile = engine.store.get("schools", "20325309")
    profile["needs"], profile["offers"] = ["funding"], ["research_site"]
    profile["description"], profile["capacity"] = "Kami butuh dana.", 7
    engine.load_records("schools", [profile])
    engine.load_files(schools=register)  # the register again: its needs are blank
    again = engine.store.get("schools", "20325309")
    assert again["needs"] == ["funding", "internet_connectivity", "teacher_training"]
    assert again["offers"] == ["research_site"]
    assert again["description"] == "Kami butuh dana." and again["capacity"] == 7
    assert again["name"] == "SD NEGERI SIDOKARE 1"


def test_cli_register_error_is_one_line(tmp_path: Path, settings, capsys) -> None:
    bad = (8, 20325313, "SD X", "TPQ?", "N", "", "", "Sidoarjo", "Kab Sidoarjo",
           "Jawa Timur", -7.4, 112.7, "B", 1, 1, "", "")  # fmt: skip
    path = write_xlsx(tmp_path / "bad.xlsx", [bad], title=False)
    code = main(["load", "--db", settings.db_url, "--schools", str(path)])
    err = capsys.readouterr().err.strip()
    assert code != 0 and "Traceback" not in err
    assert "line 2" in err and "level" in err
