"""One test per validation rule of docs/files.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher import schema
from matcher.errors import ValidationError
from tests.conftest import PARTNER_COLS, SCHOOL_COLS, partner, school, write_csv


def bad_school(tmp_path: Path, **kw) -> ValidationError:
    path = write_csv(tmp_path / "s.csv", SCHOOL_COLS, [school("A"), school("B", **kw)])
    with pytest.raises(ValidationError) as err:
        schema.read_file("schools", path)
    return err.value


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("name", "", "required"),
        ("level", "SMX", "not a level"),
        ("ownership", "public", "not a ownership"),
        ("latitude", "abc", "not a number"),
        ("latitude", "95", "outside"),
        ("longitude", "", "required"),
        ("students", "-3", "below 0"),
        ("students", "3.5", "whole number"),
        ("accreditation", "D", "not a accreditation"),
        ("needs", "", "required"),
        ("needs", "teacher_training;other", "unknown code 'other'"),
        ("offers", "flying_cars", "unknown code"),
        ("languages", "indonesian", "ISO 639"),
        ("capacity", "0", "below 1"),
    ],
)
def test_school_rule_names_line_and_column(tmp_path: Path, field: str, value: str, reason: str):
    err = bad_school(tmp_path, **{field: value})
    assert len(err.errors) == 1
    e = err.errors[0]
    assert (e.line, e.column) == (3, field)
    assert reason in e.reason
    assert "line 3" in str(err) and field in str(err)


def test_defaults_fill_empty_optionals(tmp_path: Path) -> None:
    rec = school("A", accreditation="", languages="", capacity="", offers="", district="")
    df, _ = schema.read_file("schools", write_csv(tmp_path / "s.csv", SCHOOL_COLS, [rec]))
    row = df.iloc[0]
    assert row["accreditation"] == "none"
    assert row["languages"] == ["id"]
    assert row["capacity"] == 3
    assert row["offers"] == []


def test_every_bad_row_named(tmp_path: Path) -> None:
    rows = [school("A", level="X"), school("B"), school("C", needs="nope", capacity="0")]
    with pytest.raises(ValidationError) as err:
        schema.read_file("schools", write_csv(tmp_path / "s.csv", SCHOOL_COLS, rows))
    got = {(e.line, e.column) for e in err.value.errors}
    assert got == {(2, "level"), (4, "needs"), (4, "capacity")}


def test_duplicate_id_in_file(tmp_path: Path) -> None:
    err = bad_school(tmp_path, school_id="A")
    assert err.errors[0].column == "school_id" and "duplicate" in err.errors[0].reason


def test_extra_columns_warn(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    write_csv(path, [*SCHOOL_COLS, "kepala_sekolah"], [{**school("A"), "kepala_sekolah": "Bu Ani"}])
    _, warnings = schema.read_file("schools", path)
    assert warnings and "kepala_sekolah" in warnings[0]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("type", "startup", "not a partner type"),
        ("service_radius_km", "0", "greater than 0"),
        ("online", "maybe", "true/false"),
        ("offers", "", "required"),
        ("levels", "SMP;TK", "not a level"),
        ("latitude", "", "required unless online"),
    ],
)
def test_partner_rules(tmp_path: Path, field: str, value: str, reason: str) -> None:
    path = write_csv(tmp_path / "p.csv", PARTNER_COLS, [partner("P", **{field: value})])
    with pytest.raises(ValidationError) as err:
        schema.read_file("partners", path)
    assert any(e.column == field and reason in e.reason for e in err.value.errors)


def test_online_partner_needs_no_coordinates(tmp_path: Path) -> None:
    rec = partner("P", online="true", latitude="", longitude="")
    df, _ = schema.read_file("partners", write_csv(tmp_path / "p.csv", PARTNER_COLS, [rec]))
    assert bool(df.iloc[0]["online"]) is True


def test_jsonl_lists_and_errors(tmp_path: Path) -> None:
    good = {**school("A"), "needs": ["teacher_training", "funding"], "latitude": -7.2}
    bad = {**school("B"), "needs": "not-a-list-item"}
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        schema.read_file("schools", path)
    assert "line 3" in str(err.value) and "JSON" in str(err.value)
    path.write_text(json.dumps(good) + "\n", encoding="utf-8")
    df, _ = schema.read_file("schools", path)
    assert df.iloc[0]["needs"] == ["teacher_training", "funding"]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("status", "done", "not a status"),
        ("school_rating", "6", "outside 1..5"),
        ("recorded_at", "26/11/2026", "ISO 8601"),
        ("school_id", "", "required"),
    ],
)
def test_outcome_rules(field: str, value: str, reason: str) -> None:
    rec = {"outcome_id": "o1", "school_id": "S", "partner_id": "P", "status": "completed",
           "recorded_at": "2025-03-01", field: value}  # fmt: skip
    with pytest.raises(ValidationError) as err:
        schema.validate_records("outcomes", [(2, rec)], "outcomes.csv")
    assert any(e.column == field and reason in e.reason for e in err.value.errors)


def test_outcome_without_id_gets_stable_key() -> None:
    rec = {"school_id": "S", "partner_id": "P", "status": "active", "recorded_at": "2025-03-01"}
    a, _ = schema.validate_records("outcomes", [(2, dict(rec))], "x")
    b, _ = schema.validate_records("outcomes", [(2, dict(rec))], "x")
    assert a.iloc[0]["outcome_id"] == b.iloc[0]["outcome_id"]


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "s.xls").write_text("x")
    with pytest.raises(ValidationError, match="use .csv or .jsonl"):
        schema.read_file("schools", tmp_path / "s.xls")
    with pytest.raises(ValidationError, match="not found"):
        schema.read_file("schools", tmp_path / "missing.csv")


# -- ids and bounds (issue 11.6, 11.8) -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("S1 ", "leading or trailing whitespace"),
        ("\tS1", "leading or trailing whitespace"),
        ("S\u00a01", "U+00A0"),  # no-break space
        ("S\u200d1", "U+200D"),  # zero-width joiner
        ("S\ufeff1", "U+FEFF"),
        ("Sekole\u0301", "NFC"),
    ],
)
def test_ids_must_be_clean(tmp_path: Path, value: str, why: str) -> None:
    err = bad_school(tmp_path, school_id=value)
    (e,) = err.errors
    assert (e.line, e.column) == (3, "school_id") and why in e.reason


def test_id_with_inner_space_is_fine() -> None:
    assert schema.id_problem("SD Negeri 1") is None


def test_lookalikes() -> None:
    pairs = schema.lookalikes(["fx-s3", "FX\u2010S3", "FX-S4", "FX-S3"], ["FX-S3"])
    assert pairs == [("fx-s3", "FX-S3"), ("FX\u2010S3", "FX-S3")]


def test_lookalike_ids_warned_on_load(engine, world_files, tmp_path: Path) -> None:
    engine.load_files(world_files["schools"], world_files["partners"])
    path = write_csv(tmp_path / "more.csv", SCHOOL_COLS, [school("s1"), school("S9")])
    _, warnings = engine.load_files(schools=path)
    assert len(warnings) == 1 and "'s1' looks like the stored 'S1'" in warnings[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [("students", "100000000000000000000"), ("teachers", "10001"), ("capacity", "99999")],
)
def test_counts_have_upper_bounds(tmp_path: Path, field: str, value: str) -> None:
    (e,) = bad_school(tmp_path, **{field: value}).errors
    assert e.column == field and "outside" in e.reason


def test_check_option() -> None:
    from matcher.errors import MatcherError

    assert schema.check_option("k", 5, 1, 100) == 5
    for bad in (0, 101, float("nan"), float("inf"), True, "3"):
        with pytest.raises(MatcherError, match="k must"):
            schema.check_option("k", bad, 1, 100)


# -- file robustness (issue 11.10) -----------------------------------------------------


def _one_line(err: ValidationError) -> str:
    msg = str(err)
    assert "\n" not in msg
    return msg


def test_huge_csv_field_names_line_and_column(tmp_path: Path) -> None:
    err = bad_school(tmp_path, description="x" * 1_000_000)
    (e,) = err.errors
    assert (e.line, e.column) == (3, "description") and "longer than" in e.reason
    assert len(_one_line(err)) < 500


def test_deep_json_lines_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"school_id": "A"}\n' + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ValidationError) as err:
        schema.read_file("schools", path)
    assert "line 2" in _one_line(err.value) and "nested too deeply" in str(err.value)


def test_latin1_file_names_the_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", SCHOOL_COLS, [school("A"), school("B")])
    data = path.read_bytes().replace(b"SMP Negeri B", "SMP Negeri Ñgawi".encode("latin-1"))
    path.write_bytes(data)
    with pytest.raises(ValidationError) as err:
        schema.read_file("schools", path)
    msg = _one_line(err.value)
    assert str(path) in msg and "line 3" in msg and "not UTF-8" in msg


def test_semicolon_delimited_csv_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(";".join(SCHOOL_COLS) + "\n" + "A;x;SMP" + "\n", "utf-8")
    with pytest.raises(ValidationError) as err:
        schema.read_file("schools", path)
    assert "header has one column: is the delimiter ';'?" in _one_line(err.value)


def test_bom_accepted_in_json_lines(tmp_path: Path) -> None:
    rec = {**school("A"), "needs": ["funding"]}
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(rec).encode() + b"\n")
    frame, _ = schema.read_file("schools", path)
    assert frame["school_id"].tolist() == ["A"]


def test_error_output_capped_at_50_rows(tmp_path: Path) -> None:
    rows = [school(f"B{i}", level="??") for i in range(500)]
    path = write_csv(tmp_path / "s.csv", SCHOOL_COLS, rows)
    with pytest.raises(ValidationError) as err:
        schema.read_file("schools", path)
    msg = _one_line(err.value)
    assert "500 bad records" in msg and "and 450 more bad records" in msg
    assert "line 51 " in msg and "line 52 " not in msg and len(err.value.errors) == 500
