"""What the engine reads from a description, in words a user can check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import strip_accents_unicode

from matcher.engine import Engine
from matcher.errors import ValidationError
from matcher.features import VocabularyTextMatcher, fold, fold_all, sentences
from matcher.reading import default_matcher, read_text

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def reader():
    return default_matcher()


def test_laptops_for_the_computer_lab_read_as_devices_with_evidence(reader) -> None:
    got = read_text(reader, "Kami butuh laptop untuk lab komputer", "school")
    devices = next(n for n in got["needs"] if n["code"] == "digital_devices")
    assert devices["label"] == "perangkat TIK"
    assert devices["evidence"] == "laptop, lab komputer"
    assert got["offers"] == []


@pytest.mark.parametrize(
    ("text", "side", "kind", "code"),
    [
        ("guru kami butuh pelatihan", "school", "needs", "teacher_training"),
        ("We need laptops for our students", "school", "needs", "digital_devices"),
        ("Kami memberikan beasiswa siswa", "partner", "offers", "scholarships"),
        # a code that flows both ways: a school's need, a partner's offer
        ("program lingkungan Adiwiyata", "school", "needs", "environment_program"),
        ("program lingkungan Adiwiyata", "partner", "offers", "environment_program"),
        # a code that flows only to partners: a school's offer, a partner's need
        ("visibilitas dan pengakuan", "partner", "needs", "brand_visibility"),
        ("visibilitas dan pengakuan", "school", "offers", "brand_visibility"),
    ],
)
def test_codes_read_in_their_usual_direction(reader, text, side, kind, code) -> None:
    got = read_text(reader, text, side)
    assert code in [i["code"] for i in got[kind]]
    other = "offers" if kind == "needs" else "needs"
    assert code not in [i["code"] for i in got[other]]


@pytest.mark.parametrize(
    ("text", "side", "needs", "offers"),
    [
        # a school that says it can provide a both-ways code offers it
        (
            "Kami butuh laptop untuk lab komputer. Kami dapat menyediakan program "
            "lingkungan hidup dan bank sampah.",
            "school",
            {"digital_devices"},
            {"environment_program"},
        ),
        (
            "We can offer student volunteers. We need laptops.",
            "school",
            {"digital_devices"},
            {"student_volunteers"},
        ),  # fmt: skip
        # need words and offer words in one sentence: the usual direction
        (
            "Kami mencari mitra yang dapat menyediakan program lingkungan hidup.",
            "school",
            {"environment_program"},
            set(),
        ),  # fmt: skip
        # a partner that says it needs a both-ways code needs it
        (
            "Kami membutuhkan relawan siswa untuk kegiatan kami.",
            "partner",
            {"student_volunteers"},
            set(),
        ),  # fmt: skip
    ],
)
def test_need_and_offer_words_set_the_direction(reader, text, side, needs, offers) -> None:
    got = read_text(reader, text, side)
    assert {n["code"] for n in got["needs"]} == needs
    assert {o["code"] for o in got["offers"]} == offers


def test_words_of_different_sentences_never_make_one_phrase(reader) -> None:
    # "usaha" (closing line) and "siswa" (intro) together look like "usaha siswa"
    text = (
        "Saat ini kami mendidik 213 siswa. Guru kami butuh pelatihan. "
        "Kami berharap dapat bekerja sama dengan dunia usaha, kampus, dan komunitas."
    )
    got = read_text(reader, text, "school")
    assert "entrepreneurship" not in {n["code"] for n in got["needs"]}
    assert "teacher_training" in {n["code"] for n in got["needs"]}


@given(st.text(max_size=40))
def test_one_folding_rule_for_words_and_cue_sentences(text) -> None:
    # the rule scikit-learn's reader applies to n-grams, for one text and for a series
    want = strip_accents_unicode(text.lower())
    assert fold(text) == want
    assert fold_all(pd.Series([text, "Ada", text], dtype=object)).tolist() == [want, "ada", want]


def test_a_description_reads_the_same_alone_and_among_others() -> None:
    # what read-text shows for one description is exactly what training read for it,
    # whatever else was in the batch (shared sentences are read once); before, the
    # sum over n-grams followed the batch's order and differed in the last bits
    texts = pd.read_csv(SAMPLE / "schools.csv")["description"].fillna("").tolist()[:400]
    m = VocabularyTextMatcher().fit(texts)
    bulk = m.transform(texts)
    alone = np.vstack([m.transform([t]) for t in texts[::7]])
    assert bulk.max() > 0
    assert np.array_equal(bulk[::7], alone)


def test_cue_words_are_found_after_folding_accents() -> None:
    _, owner, block = sentences(["Kami BUTUH laptop. Kami dapat menyediakán relawan.", "Kami"])
    assert owner.tolist() == [0, 0, 1]
    assert block.tolist() == [1, 2, 0]  # need, offer, neither


def test_labels_follow_the_language(reader) -> None:
    got = read_text(reader, "butuh laptop", "school", lang="en")
    assert got["needs"][0]["label"] == "computers and devices"


def test_text_naming_nothing_reads_nothing(reader) -> None:
    assert read_text(reader, "Sekolah kecil di Semampir", "school") == {"needs": [], "offers": []}


@pytest.mark.parametrize("bad", [{"side": "teacher"}, {"text": "x" * 6000}, {"text": "a\x00b"}])
def test_bad_requests_name_the_field(reader, bad) -> None:
    args = {"text": "butuh laptop", "side": "school", **bad}
    with pytest.raises(ValidationError) as exc:
        read_text(reader, args["text"], args["side"])
    assert exc.value.errors[0].column in ("side", "text")


def test_engine_reads_with_the_active_model_and_records_carry_it(engine: Engine, world_files):
    before = engine.read_text("Kami butuh laptop untuk lab komputer", "school")  # no model
    engine.load_files(world_files["schools"], world_files["partners"])
    engine.train(evaluate=False)
    after = engine.read_text("Kami butuh laptop untuk lab komputer", "school")
    assert [n["code"] for n in before["needs"]] == [n["code"] for n in after["needs"]]
    rec = engine.get("schools", "S2")  # its description asks for laptops for the lab
    assert [n["code"] for n in rec["needs_read"]] == ["digital_devices"]
    assert rec["offers_read"] == []
    assert engine.get("partners", "P-EXACT")["needs_read"] == []


def test_cli_read_text(capsys) -> None:
    from matcher.cli import main

    assert main(["read-text", "Kami butuh laptop untuk lab komputer", "--side", "school",
                 "--format", "json", "--db", "sqlite://"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["needs"][0] == {
        "code": "digital_devices",
        "label": "perangkat TIK",
        "evidence": "laptop, lab komputer",
    }
    assert main(["read-text", "butuh laptop", "--side", "school", "--db", "sqlite://"]) == 0
    table = capsys.readouterr().out
    assert "digital_devices" in table and "laptop" in table
