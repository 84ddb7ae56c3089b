"""The shared resource vocabulary: codes, their labels in Indonesian and English,
synonyms used to read free text, and the other closed lists of the input schema.

The vocabulary is data (``data/vocabulary.json``); this module only reads it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from matcher.config import default_data_dir
from matcher.errors import MatcherError

FLOWS = ("to_school", "both", "to_partner")
Lang = Literal["id", "en"]  # the languages of labels and explanations
LANGS: tuple[Lang, ...] = get_args(Lang)


@dataclass(frozen=True)
class Vocabulary:
    """Codes in a fixed order (the columns of every need/offer matrix) and their labels."""

    codes: tuple[str, ...]
    labels: dict[str, dict[str, str]]
    flows: dict[str, str]
    synonyms: dict[str, tuple[str, ...]]
    levels: tuple[str, ...]
    ownership: tuple[str, ...]
    accreditation: tuple[str, ...]
    partner_types: tuple[str, ...]
    statuses: tuple[str, ...]
    partner_type_labels: dict[str, dict[str, str]]
    sha256: str = ""  # of the file read: which vocabulary a fitted model was built with

    def label(self, code: str, lang: str = "id") -> str:
        return self.labels[code][lang if lang in LANGS else "id"]

    def phrases(self, code: str) -> tuple[str, ...]:
        """Every phrase that names ``code``: both labels and all synonyms."""
        lab = self.labels[code]
        return (lab["en"], lab["id"], *self.synonyms[code])

    def flows_to_school(self) -> list[bool]:
        """Per code: can a school need it (it flows to schools, or both ways)?"""
        return [self.flows[c] in ("to_school", "both") for c in self.codes]

    def flows_to_partner(self) -> list[bool]:
        """Per code: can a partner need it (it flows to partners, or both ways)?"""
        return [self.flows[c] in ("to_partner", "both") for c in self.codes]


def _parse(raw: dict, sha256: str = "") -> Vocabulary:
    codes, labels, flows, syns = [], {}, {}, {}
    for entry in raw["codes"]:
        code = entry["code"]
        if entry["flow"] not in FLOWS:
            raise MatcherError(f"vocabulary: code {code!r} has unknown flow {entry['flow']!r}")
        codes.append(code)
        labels[code] = {"en": entry["en"], "id": entry["id"]}
        flows[code] = entry["flow"]
        s = entry.get("synonyms", {})
        syns[code] = tuple(x for lang in LANGS for x in s.get(lang, []))
    return Vocabulary(
        codes=tuple(codes),
        labels=labels,
        flows=flows,
        synonyms=syns,
        levels=tuple(raw["levels"]),
        ownership=tuple(raw["ownership"]),
        accreditation=tuple(raw["accreditation"]),
        partner_types=tuple(raw["partner_types"]),
        statuses=tuple(raw["statuses"]),
        partner_type_labels=raw.get("partner_type_labels", {}),
        sha256=sha256,
    )


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Read the vocabulary file (default: ``data/vocabulary.json``)."""
    p = Path(path) if path else default_data_dir() / "vocabulary.json"
    try:
        data = p.read_bytes()
        raw = json.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise MatcherError(f"vocabulary file not found: {p} (set MATCHER_DATA)") from None
    except (ValueError, KeyError) as exc:
        raise MatcherError(f"vocabulary file {p} is not valid: {exc}") from None
    return _parse(raw, hashlib.sha256(data).hexdigest())
