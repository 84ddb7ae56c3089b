"""Deterministic synthetic data: Indonesian schools, partners and partnership outcomes.

The generator writes ``schools.csv``, ``partners.csv`` and ``outcomes.csv`` in the input
format of the project contract (``;``-separated lists, ``true``/``false`` booleans). It is
independent of the matching engine it helps to test: it imports no other ``matcher``
module and keeps its own copy of the vocabulary codes.

Two configurations exist:

* the default sample (1,200 schools, 260 partners) in four East Java regencies with real
  kecamatan: Kota Surabaya, Kabupaten Sidoarjo, Kabupaten Malang (remote mountain and
  south-coast villages) and Kabupaten Sumenep (Madura, with island schools);
* ``--national`` (about 400,000 schools and 50,000 partners) over the 38 provinces; the
  four East Java regencies keep their real kecamatan, other regencies and kecamatan get
  synthetic but plausible names.

Outcomes are simulated from latent quantities the files do not show: a school's true
needs (some only written in its description), the two-way fit between a school and a
partner, each partner's reliability, each school's engagement, distance and language.

Run ``python -m matcher.sample --out data/sample --seed 42``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
UIntArray = npt.NDArray[np.uint64]
ObjArray = npt.NDArray[np.object_]

# --------------------------------------------------------------------------------------
# Vocabulary (own copy: the generator must not depend on the engine)
# --------------------------------------------------------------------------------------

CODES: tuple[str, ...] = (
    "teacher_training",
    "teaching_innovation",
    "leadership_coaching",
    "teacher_career",
    "digital_devices",
    "internet_connectivity",
    "learning_materials",
    "infrastructure",
    "funding",
    "scholarships",
    "internships",
    "curriculum_alignment",
    "competency_certification",
    "career_guidance",
    "research_collaboration",
    "health_nutrition",
    "counseling_wellbeing",
    "environment_program",
    "arts_culture",
    "sports",
    "language_learning",
    "entrepreneurship",
    "inclusive_education",
    "parent_engagement",
    "talent_pipeline",
    "teaching_practicum",
    "research_site",
    "csr_impact",
    "brand_visibility",
    "community_access",
    "product_pilot",
    "student_volunteers",
    "venue_facilities",
    "program_reach",
)
CI: dict[str, int] = {c: i for i, c in enumerate(CODES)}
N_CODES = len(CODES)
TO_PARTNER = frozenset(CODES[24:])
SCHOOL_NEED_CODES: tuple[str, ...] = CODES[:24]

LEVELS: tuple[str, ...] = ("SD", "SMP", "SMA", "SMK", "SLB", "MI", "MTs", "MA")
LI: dict[str, int] = {lv: i for i, lv in enumerate(LEVELS)}
PARTNER_TYPES: tuple[str, ...] = (
    "company",
    "university",
    "ngo",
    "community",
    "government",
    "foundation",
    "school",
    "media",
)
LANG_BITS: dict[str, int] = {"id": 1, "en": 2, "jv": 4, "mad": 8, "su": 16}

START = np.datetime64("2023-01-01", "D")
END = np.datetime64("2026-10-31", "D")
PERIOD_DAYS = int((END - START).astype(np.int64))

LAT_RANGE = (-11.0, 6.0)
LON_RANGE = (95.0, 141.0)

SCHOOL_COLUMNS: tuple[str, ...] = (
    "school_id",
    "name",
    "level",
    "ownership",
    "province",
    "regency",
    "district",
    "latitude",
    "longitude",
    "students",
    "teachers",
    "accreditation",
    "needs",
    "offers",
    "description",
    "languages",
    "capacity",
)
PARTNER_COLUMNS: tuple[str, ...] = (
    "partner_id",
    "name",
    "type",
    "sector",
    "province",
    "regency",
    "latitude",
    "longitude",
    "service_radius_km",
    "online",
    "offers",
    "needs",
    "levels",
    "description",
    "languages",
    "capacity",
)
OUTCOME_COLUMNS: tuple[str, ...] = (
    "outcome_id",
    "school_id",
    "partner_id",
    "status",
    "school_rating",
    "partner_rating",
    "recorded_at",
)

# --------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------

# (kecamatan, latitude, longitude, probability that a school there is remote)
_SURABAYA: tuple[tuple[str, float, float, float], ...] = (
    ("Asemrowo", -7.245, 112.705, 0.0),
    ("Benowo", -7.230, 112.625, 0.0),
    ("Bubutan", -7.250, 112.731, 0.0),
    ("Bulak", -7.232, 112.788, 0.0),
    ("Dukuh Pakis", -7.287, 112.715, 0.0),
    ("Gayungan", -7.331, 112.722, 0.0),
    ("Genteng", -7.259, 112.745, 0.0),
    ("Gubeng", -7.275, 112.756, 0.0),
    ("Gunung Anyar", -7.340, 112.790, 0.0),
    ("Jambangan", -7.320, 112.712, 0.0),
    ("Karang Pilang", -7.335, 112.692, 0.0),
    ("Kenjeran", -7.235, 112.778, 0.0),
    ("Krembangan", -7.225, 112.724, 0.0),
    ("Lakarsantri", -7.311, 112.643, 0.0),
    ("Mulyorejo", -7.266, 112.790, 0.0),
    ("Pabean Cantian", -7.219, 112.736, 0.0),
    ("Pakal", -7.245, 112.612, 0.0),
    ("Rungkut", -7.326, 112.776, 0.0),
    ("Sambikerep", -7.281, 112.652, 0.0),
    ("Sawahan", -7.265, 112.720, 0.0),
    ("Semampir", -7.222, 112.750, 0.0),
    ("Simokerto", -7.240, 112.755, 0.0),
    ("Sukolilo", -7.290, 112.796, 0.0),
    ("Sukomanunggal", -7.266, 112.696, 0.0),
    ("Tambaksari", -7.250, 112.766, 0.0),
    ("Tandes", -7.255, 112.676, 0.0),
    ("Tegalsari", -7.270, 112.736, 0.0),
    ("Tenggilis Mejoyo", -7.321, 112.756, 0.0),
    ("Wiyung", -7.311, 112.696, 0.0),
    ("Wonocolo", -7.316, 112.736, 0.0),
    ("Wonokromo", -7.295, 112.736, 0.0),
)
_SIDOARJO: tuple[tuple[str, float, float, float], ...] = (
    ("Sidoarjo", -7.448, 112.718, 0.0),
    ("Buduran", -7.420, 112.731, 0.0),
    ("Candi", -7.480, 112.718, 0.0),
    ("Porong", -7.541, 112.684, 0.02),
    ("Krembung", -7.550, 112.620, 0.03),
    ("Tulangan", -7.490, 112.650, 0.02),
    ("Tanggulangin", -7.500, 112.700, 0.02),
    ("Jabon", -7.555, 112.750, 0.08),
    ("Krian", -7.410, 112.582, 0.0),
    ("Balongbendo", -7.413, 112.530, 0.03),
    ("Wonoayu", -7.432, 112.632, 0.02),
    ("Tarik", -7.440, 112.500, 0.05),
    ("Prambon", -7.490, 112.585, 0.04),
    ("Taman", -7.360, 112.683, 0.0),
    ("Waru", -7.350, 112.730, 0.0),
    ("Gedangan", -7.390, 112.730, 0.0),
    ("Sedati", -7.383, 112.770, 0.02),
    ("Sukodono", -7.393, 112.668, 0.0),
)
_MALANG: tuple[tuple[str, float, float, float], ...] = (
    ("Kepanjen", -8.130, 112.572, 0.0),
    ("Singosari", -7.892, 112.664, 0.0),
    ("Lawang", -7.835, 112.695, 0.02),
    ("Pakis", -7.960, 112.720, 0.0),
    ("Tumpang", -8.005, 112.760, 0.08),
    ("Poncokusumo", -8.045, 112.820, 0.55),
    ("Jabung", -7.935, 112.790, 0.3),
    ("Karangploso", -7.900, 112.600, 0.03),
    ("Dau", -7.930, 112.570, 0.08),
    ("Pujon", -7.845, 112.455, 0.45),
    ("Ngantang", -7.860, 112.370, 0.55),
    ("Kasembon", -7.800, 112.310, 0.6),
    ("Wagir", -8.030, 112.570, 0.15),
    ("Pakisaji", -8.060, 112.600, 0.02),
    ("Tajinan", -8.040, 112.680, 0.05),
    ("Bululawang", -8.080, 112.640, 0.03),
    ("Wajak", -8.100, 112.740, 0.15),
    ("Turen", -8.170, 112.690, 0.05),
    ("Dampit", -8.210, 112.750, 0.2),
    ("Tirtoyudo", -8.270, 112.830, 0.6),
    ("Ampelgading", -8.260, 112.900, 0.6),
    ("Sumbermanjing Wetan", -8.320, 112.700, 0.6),
    ("Gedangan", -8.320, 112.630, 0.5),
    ("Bantur", -8.310, 112.570, 0.45),
    ("Pagak", -8.240, 112.500, 0.25),
    ("Donomulyo", -8.300, 112.430, 0.6),
    ("Kalipare", -8.200, 112.450, 0.3),
    ("Sumberpucung", -8.160, 112.480, 0.05),
    ("Kromengan", -8.120, 112.500, 0.08),
    ("Ngajum", -8.080, 112.530, 0.1),
    ("Wonosari", -8.060, 112.470, 0.35),
    ("Gondanglegi", -8.170, 112.630, 0.03),
    ("Pagelaran", -8.190, 112.600, 0.05),
)
_SUMENEP: tuple[tuple[str, float, float, float], ...] = (
    ("Kota Sumenep", -7.010, 113.862, 0.0),
    ("Kalianget", -7.050, 113.930, 0.05),
    ("Saronggi", -7.070, 113.800, 0.15),
    ("Bluto", -7.080, 113.730, 0.15),
    ("Pragaan", -7.070, 113.660, 0.15),
    ("Lenteng", -7.000, 113.780, 0.1),
    ("Ganding", -6.970, 113.720, 0.2),
    ("Guluk-Guluk", -6.980, 113.660, 0.2),
    ("Pasongsongan", -6.920, 113.630, 0.3),
    ("Ambunten", -6.890, 113.730, 0.3),
    ("Rubaru", -6.950, 113.770, 0.3),
    ("Dasuk", -6.920, 113.810, 0.25),
    ("Manding", -6.950, 113.840, 0.2),
    ("Batuputih", -6.940, 113.920, 0.35),
    ("Gapura", -6.980, 113.950, 0.3),
    ("Batang Batang", -6.950, 114.000, 0.35),
    ("Dungkek", -6.990, 114.080, 0.4),
    ("Talango", -7.060, 113.980, 0.7),
    ("Giligenteng", -7.180, 113.900, 0.9),
    ("Nonggunong", -6.900, 114.170, 0.9),
    ("Gayam", -7.000, 114.200, 0.9),
    ("Raas", -7.130, 114.500, 0.95),
    ("Arjasa", -6.870, 115.230, 0.9),
    ("Kangayan", -6.910, 115.400, 0.95),
    ("Sapeken", -6.960, 115.770, 0.95),
    ("Masalembu", -5.550, 114.430, 1.0),
)

# regency, short name, is a city (kota), share of schools, kecamatan spread (degrees),
# second language and its probability, kecamatan
_EAST_JAVA = (
    ("Kota Surabaya", "Surabaya", True, 0.30, 0.010, "jv", 0.22, _SURABAYA),
    ("Kabupaten Sidoarjo", "Sidoarjo", False, 0.21, 0.014, "jv", 0.3, _SIDOARJO),
    ("Kabupaten Malang", "Malang", False, 0.33, 0.022, "jv", 0.35, _MALANG),
    ("Kabupaten Sumenep", "Sumenep", False, 0.16, 0.018, "mad", 0.55, _SUMENEP),
)

# province, capital, lat, lon, lat_min, lat_max, lon_min, lon_max, school weight, remote
# share, second language, its probability
_PROVINCES = (
    ("Aceh", "Banda Aceh", 5.55, 95.32, 2.4, 5.6, 95.3, 97.9, 3.0, 0.2, "", 0.0),
    ("Sumatera Utara", "Medan", 3.59, 98.67, 0.8, 4.1, 97.3, 100.2, 6.0, 0.15, "", 0.0),
    ("Sumatera Barat", "Padang", -0.95, 100.35, -2.7, 0.8, 99.3, 101.8, 2.6, 0.15, "", 0.0),
    ("Riau", "Pekanbaru", 0.51, 101.45, -1.0, 2.1, 100.3, 103.5, 2.6, 0.2, "", 0.0),
    ("Kepulauan Riau", "Tanjung Pinang", 0.92, 104.45, -0.4, 1.2, 103.8, 104.8, 0.8, 0.35, "", 0),
    ("Jambi", "Jambi", -1.61, 103.61, -2.7, -1.0, 101.4, 104.3, 1.5, 0.2, "", 0.0),
    ("Sumatera Selatan", "Palembang", -2.98, 104.76, -4.6, -1.8, 102.4, 106.0, 3.4, 0.15, "", 0),
    (
        "Kepulauan Bangka Belitung",
        "Pangkal Pinang",
        -2.13,
        106.11,
        -3.2,
        -1.6,
        105.3,
        108.2,
        0.5,
        0.15,
        "",
        0.0,
    ),
    ("Bengkulu", "Bengkulu", -3.79, 102.26, -5.2, -2.5, 101.3, 103.6, 0.9, 0.2, "", 0.0),
    ("Lampung", "Bandar Lampung", -5.43, 105.26, -5.8, -3.9, 103.9, 105.8, 3.3, 0.12, "", 0.0),
    (
        "DKI Jakarta",
        "Jakarta Pusat",
        -6.18,
        106.83,
        -6.35,
        -6.10,
        106.70,
        106.95,
        3.0,
        0.0,
        "",
        0.0,
    ),
    ("Jawa Barat", "Bandung", -6.91, 107.61, -7.6, -6.2, 106.5, 108.7, 17.0, 0.06, "su", 0.4),
    ("Banten", "Serang", -6.12, 106.15, -6.9, -6.0, 105.4, 106.7, 4.2, 0.08, "su", 0.2),
    ("Jawa Tengah", "Semarang", -6.97, 110.42, -7.8, -6.5, 108.8, 111.6, 13.0, 0.05, "jv", 0.4),
    ("DI Yogyakarta", "Yogyakarta", -7.80, 110.36, -8.1, -7.6, 110.1, 110.8, 1.3, 0.05, "jv", 0.4),
    ("Jawa Timur", "Surabaya", -7.26, 112.75, -8.3, -6.9, 111.2, 114.3, 15.0, 0.08, "jv", 0.35),
    ("Bali", "Denpasar", -8.65, 115.22, -8.75, -8.1, 114.5, 115.6, 1.3, 0.05, "", 0.0),
    ("Nusa Tenggara Barat", "Mataram", -8.58, 116.12, -9.0, -8.2, 116.0, 119.0, 2.0, 0.25, "", 0),
    (
        "Nusa Tenggara Timur",
        "Kupang",
        -10.18,
        123.61,
        -10.6,
        -8.3,
        119.0,
        125.0,
        3.0,
        0.45,
        "",
        0.0,
    ),
    ("Kalimantan Barat", "Pontianak", -0.03, 109.33, -2.8, 1.8, 109.0, 113.5, 2.2, 0.35, "", 0),
    (
        "Kalimantan Tengah",
        "Palangka Raya",
        -2.21,
        113.92,
        -3.3,
        0.5,
        111.0,
        115.5,
        1.4,
        0.4,
        "",
        0.0,
    ),
    (
        "Kalimantan Selatan",
        "Banjarmasin",
        -3.32,
        114.59,
        -4.0,
        -1.5,
        114.4,
        116.3,
        1.6,
        0.2,
        "",
        0.0,
    ),
    ("Kalimantan Timur", "Samarinda", -0.50, 117.15, -2.2, 2.2, 114.5, 118.5, 1.4, 0.3, "", 0.0),
    ("Kalimantan Utara", "Tanjung Selor", 2.84, 117.37, 1.3, 4.2, 115.0, 117.8, 0.3, 0.5, "", 0),
    ("Sulawesi Utara", "Manado", 1.47, 124.84, 0.5, 1.8, 123.2, 125.2, 1.2, 0.2, "", 0.0),
    ("Gorontalo", "Gorontalo", 0.54, 123.06, 0.4, 0.9, 121.5, 123.4, 0.5, 0.25, "", 0.0),
    ("Sulawesi Tengah", "Palu", -0.90, 119.87, -2.5, 1.2, 119.6, 123.4, 1.5, 0.35, "", 0.0),
    ("Sulawesi Barat", "Mamuju", -2.68, 118.89, -3.5, -1.0, 118.8, 119.7, 0.6, 0.35, "", 0.0),
    ("Sulawesi Selatan", "Makassar", -5.15, 119.43, -5.6, -2.5, 119.3, 121.0, 4.0, 0.15, "", 0.0),
    ("Sulawesi Tenggara", "Kendari", -3.97, 122.51, -5.5, -3.0, 121.3, 123.2, 1.3, 0.3, "", 0.0),
    ("Maluku", "Ambon", -3.70, 128.18, -8.0, -2.9, 126.0, 134.5, 1.0, 0.5, "", 0.0),
    ("Maluku Utara", "Sofifi", 0.73, 127.57, -1.8, 2.3, 126.0, 128.6, 0.6, 0.5, "", 0.0),
    ("Papua", "Jayapura", -2.53, 140.72, -3.4, -1.5, 136.5, 140.9, 0.6, 0.6, "", 0.0),
    ("Papua Barat", "Manokwari", -0.86, 134.06, -3.8, -0.9, 132.5, 134.3, 0.4, 0.6, "", 0.0),
    ("Papua Barat Daya", "Sorong", -0.88, 131.25, -1.9, -0.3, 130.9, 132.8, 0.3, 0.55, "", 0.0),
    ("Papua Tengah", "Nabire", -3.37, 135.50, -4.6, -3.0, 135.0, 138.0, 0.4, 0.7, "", 0.0),
    ("Papua Pegunungan", "Wamena", -4.10, 138.95, -4.8, -3.5, 138.2, 140.2, 0.3, 0.8, "", 0.0),
    ("Papua Selatan", "Merauke", -8.50, 140.40, -8.9, -5.5, 138.2, 140.9, 0.3, 0.6, "", 0.0),
)
_JAKARTA_REGENCIES = (
    ("Jakarta Pusat", -6.182, 106.833),
    ("Jakarta Utara", -6.138, 106.863),
    ("Jakarta Barat", -6.168, 106.759),
    ("Jakarta Selatan", -6.261, 106.810),
    ("Jakarta Timur", -6.225, 106.900),
)
_YOGYA_REGENCIES = (
    ("Kota Yogyakarta", -7.797, 110.370),
    ("Kabupaten Sleman", -7.716, 110.355),
    ("Kabupaten Bantul", -7.888, 110.329),
    ("Kabupaten Kulon Progo", -7.826, 110.164),
    ("Kabupaten Gunungkidul", -7.966, 110.602),
)
_PLACE_HEAD = (
    "Suka",
    "Karang",
    "Sumber",
    "Tanjung",
    "Mekar",
    "Margo",
    "Sido",
    "Banjar",
    "Pasir",
    "Bukit",
    "Sungai",
    "Teluk",
    "Muara",
    "Tegal",
    "Wono",
    "Kali",
    "Rejo",
    "Giri",
    "Tirta",
    "Air",
    "Batu",
    "Lubuk",
    "Padang",
    "Ujung",
    "Kampung",
)
_PLACE_TAIL = (
    "maju",
    "jaya",
    "sari",
    "rejo",
    "mulyo",
    "agung",
    "makmur",
    "baru",
    "harjo",
    "asri",
    "indah",
    "raya",
    "lestari",
    "jati",
    "kencana",
    "wangi",
    "mukti",
    "tengah",
    "permai",
    "damai",
)
_COMPASS = ("Utara", "Selatan", "Barat", "Timur", "Tengah", "Raya", "Hulu", "Hilir")

# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------

LEVEL_LONG_ID = {
    "SD": "sekolah dasar",
    "SMP": "sekolah menengah pertama",
    "SMA": "sekolah menengah atas",
    "SMK": "sekolah menengah kejuruan",
    "SLB": "sekolah luar biasa",
    "MI": "madrasah ibtidaiyah",
    "MTs": "madrasah tsanawiyah",
    "MA": "madrasah aliyah",
}
LEVEL_LONG_EN = {
    "SD": "primary school",
    "SMP": "junior secondary school",
    "SMA": "senior secondary school",
    "SMK": "vocational high school",
    "SLB": "special needs school",
    "MI": "Islamic primary school",
    "MTs": "Islamic junior secondary school",
    "MA": "Islamic senior secondary school",
}

# code -> (need sentences id, need sentences en, noun phrase id, noun phrase en)
PHRASES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, str]] = {
    "teacher_training": (
        (
            "Guru kami butuh pelatihan Kurikulum Merdeka.",
            "Kami memerlukan diklat dan bimtek untuk peningkatan kompetensi guru.",
        ),
        (
            "Our teachers need training on the new curriculum.",
            "We are looking for teacher workshops and professional development for teachers.",
        ),
        "pelatihan guru dan bimtek",
        "teacher training workshops",
    ),
    "teaching_innovation": (
        (
            "Kami ingin menerapkan pembelajaran berbasis proyek yang lebih kreatif.",
            "Guru-guru ingin belajar metode pembelajaran dan media pembelajaran inovatif.",
        ),
        (
            "We want to bring project-based learning and active learning into our classes.",
            "We would like to learn innovative teaching methods.",
        ),
        "pendampingan metode pembelajaran inovatif",
        "innovative teaching methods and project-based learning",
    ),
    "leadership_coaching": (
        (
            "Kepala sekolah kami membutuhkan pendampingan manajemen sekolah.",
            "Kami mencari coaching untuk kepala sekolah dan tim manajemen.",
        ),
        (
            "Our principal would welcome coaching on school leadership.",
            "We need support for school management and instructional leadership.",
        ),
        "coaching kepala sekolah",
        "principal coaching and school leadership support",
    ),
    "teacher_career": (
        (
            "Banyak guru honorer kami ingin mengikuti PPG dan sertifikasi guru.",
            "Kami butuh dukungan pengembangan karier guru.",
        ),
        (
            "Many of our teachers want help with teacher certification and their career path.",
            "Our contract teachers need career development for teachers.",
        ),
        "pengembangan karier dan sertifikasi guru",
        "teacher career development",
    ),
    "digital_devices": (
        (
            "Kami butuh laptop untuk lab komputer.",
            "Komputer di sekolah kami sudah rusak dan kami belum punya proyektor.",
        ),
        (
            "We need laptops and tablets for our computer lab.",
            "Our computers are old and we have no projector.",
        ),
        "donasi laptop dan perangkat TIK",
        "computers, laptops and devices",
    ),
    "internet_connectivity": (
        (
            "Sinyal internet sulit di desa kami.",
            "Sekolah kami belum punya wifi dan jaringan internet sering mati.",
        ),
        (
            "Internet access is very poor in our village.",
            "We have no wifi and the internet connection is unreliable.",
        ),
        "pemasangan jaringan internet dan wifi",
        "internet connectivity and wifi",
    ),
    "learning_materials": (
        (
            "Perpustakaan kami kekurangan buku bacaan.",
            "Kami membutuhkan buku pelajaran dan alat peraga.",
        ),
        (
            "Our library needs more books for children.",
            "We lack textbooks and teaching aids.",
        ),
        "buku bacaan dan bahan ajar",
        "books and learning materials",
    ),
    "infrastructure": (
        (
            "Atap ruang kelas bocor dan toilet siswa perlu renovasi.",
            "Kami membutuhkan perbaikan sarana prasarana dan akses air bersih.",
        ),
        (
            "Our classrooms need renovation and the toilets are in poor condition.",
            "We need better sanitation and clean water.",
        ),
        "renovasi ruang kelas dan sanitasi",
        "classroom renovation and sanitation",
    ),
    "funding": (
        (
            "Dana BOS tidak mencukupi biaya operasional sekolah.",
            "Kami mencari donatur dan bantuan dana untuk kegiatan siswa.",
        ),
        (
            "We are looking for grants and donations for our activities.",
            "Our operational costs are not covered and we need financial support.",
        ),
        "hibah dan bantuan dana",
        "grants and funding",
    ),
    "scholarships": (
        (
            "Banyak siswa dari keluarga prasejahtera yang membutuhkan beasiswa.",
            "Kami ingin mencegah siswa putus sekolah dengan bantuan biaya pendidikan.",
        ),
        (
            "Many students from poor families need scholarships.",
            "We want to keep students from dropping out with tuition support.",
        ),
        "beasiswa siswa",
        "student scholarships",
    ),
    "internships": (
        (
            "Siswa kami membutuhkan tempat PKL di industri.",
            "Kami mencari mitra DUDI untuk praktik kerja lapangan dan magang siswa.",
        ),
        (
            "Our students need internship placements in industry.",
            "We are looking for companies that offer work placements.",
        ),
        "tempat PKL dan magang industri",
        "internships and work placements",
    ),
    "curriculum_alignment": (
        (
            "Kami ingin menyelaraskan kurikulum dengan kebutuhan industri (link and match).",
            "Kami membutuhkan guru tamu dari industri dan kelas industri.",
        ),
        (
            "We want our curriculum aligned with industry needs (link and match).",
            "We would like guest teachers from industry and a teaching factory.",
        ),
        "penyelarasan kurikulum dan kelas industri",
        "industry-aligned curriculum and guest teachers",
    ),
    "competency_certification": (
        (
            "Siswa kami perlu mengikuti uji kompetensi BNSP.",
            "Kami butuh LSP untuk sertifikat kompetensi lulusan.",
        ),
        (
            "Our students need a competency test and skills certification.",
            "We need a certification partner (BNSP/LSP) for our graduates.",
        ),
        "uji kompetensi dan sertifikat BNSP",
        "competency testing and certification",
    ),
    "career_guidance": (
        (
            "Siswa kelas akhir membutuhkan bimbingan karier dan info kampus.",
            "Kami ingin mengadakan career day dan info studi lanjut.",
        ),
        (
            "Our final-year students need career guidance.",
            "We would like to hold a career day and university admission talks.",
        ),
        "bimbingan karier dan info studi lanjut",
        "career guidance and career talks",
    ),
    "research_collaboration": (
        (
            "Guru kami ingin berkolaborasi dalam penelitian tindakan kelas.",
            "Kami terbuka untuk riset bersama perguruan tinggi.",
        ),
        (
            "Our teachers want to join a research collaboration.",
            "We are interested in joint research with a university.",
        ),
        "kolaborasi riset dan penelitian tindakan kelas",
        "research collaboration",
    ),
    "health_nutrition": (
        (
            "Banyak siswa belum sarapan dan kami khawatir soal gizi dan stunting.",
            "UKS kami membutuhkan dukungan pemeriksaan kesehatan rutin.",
        ),
        (
            "Many children come to school hungry; nutrition and stunting are a concern.",
            "We need regular health checks for our students.",
        ),
        "program kesehatan dan gizi siswa",
        "health and nutrition programmes",
    ),
    "counseling_wellbeing": (
        (
            "Kami menghadapi kasus perundungan dan membutuhkan dukungan psikolog.",
            "Guru BK kami kewalahan menangani kesehatan mental siswa.",
        ),
        (
            "We have bullying cases and need counselling support.",
            "Student mental health and wellbeing is a growing concern.",
        ),
        "konseling dan dukungan kesehatan mental",
        "counselling and wellbeing support",
    ),
    "environment_program": (
        (
            "Kami ingin menjadi sekolah Adiwiyata dan mengelola bank sampah.",
            "Kami butuh pendampingan program peduli lingkungan dan penghijauan.",
        ),
        (
            "We want to become a green school with a recycling programme.",
            "We need help with waste management and tree planting.",
        ),
        "program lingkungan hidup dan bank sampah",
        "environmental programmes and recycling",
    ),
    "arts_culture": (
        (
            "Kami ingin menghidupkan ekstrakurikuler seni tari dan karawitan.",
            "Kami butuh pembina kesenian dan alat musik gamelan.",
        ),
        (
            "We would like to revive traditional arts and music.",
            "Our students need a dance and theatre coach.",
        ),
        "pembinaan seni dan budaya",
        "arts and culture programmes",
    ),
    "sports": (
        (
            "Kami membutuhkan alat olahraga dan pembina futsal.",
            "Lapangan olahraga kami rusak dan perlu diperbaiki.",
        ),
        (
            "We need sports equipment and a football coach.",
            "Our sports field needs repair.",
        ),
        "pembinaan olahraga dan alat olahraga",
        "sports coaching and equipment",
    ),
    "language_learning": (
        (
            "Siswa kami ingin belajar bahasa Inggris dengan penutur asli.",
            "Kami ingin membuka English club dan kursus bahasa asing.",
        ),
        (
            "Our students want to practise English with native speakers.",
            "We would like to start an English club.",
        ),
        "pembelajaran bahasa Inggris",
        "English and language learning",
    ),
    "entrepreneurship": (
        (
            "Kami ingin menumbuhkan jiwa wirausaha siswa dan memasarkan produk siswa.",
            "Kami butuh pendampingan kewirausahaan dan UMKM.",
        ),
        (
            "We want to teach entrepreneurship and business skills.",
            "Our students make products and need help with marketing.",
        ),
        "pembinaan kewirausahaan",
        "entrepreneurship training",
    ),
    "inclusive_education": (
        (
            "Kami melayani anak berkebutuhan khusus dan membutuhkan guru pendamping khusus.",
            "Kami ingin menjadi sekolah inklusi yang ramah disabilitas.",
        ),
        (
            "We serve children with special needs and need trained support staff.",
            "We want to become an inclusive school for students with disabilities.",
        ),
        "pendampingan pendidikan inklusif",
        "inclusive education support",
    ),
    "parent_engagement": (
        (
            "Keterlibatan orang tua masih rendah; kami ingin kelas parenting bagi wali murid.",
            "Kami butuh program untuk melibatkan orang tua dalam belajar anak.",
        ),
        (
            "Parent involvement is low; we would like parenting classes.",
            "We need ideas to engage parents in their children's learning.",
        ),
        "kelas parenting dan keterlibatan orang tua",
        "parent engagement programmes",
    ),
    "talent_pipeline": (
        ("Lulusan kami siap direkrut sebagai tenaga kerja terampil.",),
        ("Our graduates are ready to be recruited.",),
        "rekrutmen lulusan siap kerja",
        "recruitment of skilled graduates",
    ),
    "teaching_practicum": (
        ("Kami menerima mahasiswa PPL dan KKN.",),
        ("We host trainee teachers for their teaching practicum.",),
        "tempat PPL dan KKN bagi mahasiswa",
        "practicum places for trainee teachers",
    ),
    "research_site": (
        ("Sekolah kami bersedia menjadi lokasi penelitian.",),
        ("Our school is open as a research site.",),
        "lokasi penelitian dan responden",
        "research sites and participants",
    ),
    "csr_impact": (
        ("Kami mendokumentasikan dampak sosial setiap program mitra.",),
        ("We document the social impact of every partner programme.",),
        "program CSR dengan dampak sosial terukur",
        "measurable social impact for CSR",
    ),
    "brand_visibility": (
        ("Kami mempublikasikan kegiatan mitra di media sosial sekolah.",),
        ("We give partners visibility on our school media.",),
        "publikasi dan promosi kegiatan",
        "visibility and recognition",
    ),
    "community_access": (
        ("Kami dekat dengan warga sekitar dan tokoh masyarakat.",),
        ("We have close ties with the local community.",),
        "akses ke masyarakat sekitar",
        "access to the local community",
    ),
    "product_pilot": (
        ("Kami bersedia menjadi sekolah uji coba program baru.",),
        ("We are happy to pilot new products and programmes.",),
        "sekolah untuk uji coba produk",
        "schools to pilot products and programmes",
    ),
    "student_volunteers": (
        ("Siswa kami aktif sebagai relawan.",),
        ("Our students volunteer actively.",),
        "relawan siswa",
        "student volunteers",
    ),
    "venue_facilities": (
        ("Aula dan fasilitas sekolah dapat dipakai untuk acara.",),
        ("Our hall and field can be used for events.",),
        "penggunaan aula dan fasilitas sekolah",
        "use of school halls and fields",
    ),
    "program_reach": (
        ("Kami siap menjadi sasaran program pemerintah.",),
        ("We can help public programmes reach families.",),
        "sasaran program pemerintah",
        "reach for public programmes",
    ),
}

_INTRO_ID = (
    "{name} adalah {level_id} {own_id} di Kecamatan {district}, {regency}, dengan {students}"
    " siswa dan {teachers} guru.",
    "{name} berada di {district}, {regency}. Saat ini kami mendidik {students} siswa.",
    "Kami dari {name}, {level_id} {own_id} di {regency}.",
)
_INTRO_REMOTE_ID = (
    "{name} terletak di daerah terpencil di Kecamatan {district}, {regency}; akses jalan sulit.",
    "{name} adalah {level_id} kecil di pelosok {district}, {regency}.",
)
_INTRO_EN = (
    "{name} is a {own_en} {level_en} in {district}, {regency}, with {students} students.",
    "We are {name}, a {own_en} {level_en} in {regency}.",
)
_INTRO_REMOTE_EN = ("{name} is a small {level_en} in a remote part of {district}, {regency}.",)
_CLOSE_ID = (
    "Kami terbuka untuk kemitraan yang saling menguntungkan.",
    "Kami berharap dapat bekerja sama dengan dunia usaha, kampus, dan komunitas.",
    "Mohon dukungan para mitra.",
    "",
)
_CLOSE_EN = (
    "We welcome partnerships that benefit both sides.",
    "We are open to working with companies, universities and communities.",
    "",
)

# --------------------------------------------------------------------------------------
# Partner profiles
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """What one kind of partner (type and sector) offers and needs."""

    ptype: str
    sector: str
    sector_id: str
    weight: float
    offers: dict[str, float]
    needs: dict[str, float]
    levels: tuple[tuple[str, float], ...] = (("", 1.0),)


_SMK = (("SMK", 0.5), ("SMA;SMK;MA", 0.15), ("", 0.35))
_SEC = (("SMA;SMK;MA", 0.4), ("", 0.6))
_PROFILES: tuple[_Profile, ...] = (
    # companies
    _Profile("company", "manufacturing", "manufaktur", 0.17,
             {"internships": 0.85, "curriculum_alignment": 0.6, "competency_certification": 0.4,
              "career_guidance": 0.25, "funding": 0.2, "scholarships": 0.15},
             {"talent_pipeline": 0.85, "csr_impact": 0.4, "brand_visibility": 0.3}, _SMK),
    _Profile("company", "automotive", "otomotif", 0.07,
             {"internships": 0.9, "curriculum_alignment": 0.7, "competency_certification": 0.6},
             {"talent_pipeline": 0.9, "brand_visibility": 0.3, "csr_impact": 0.3},
             (("SMK", 0.7), ("", 0.3))),
    _Profile("company", "ICT", "teknologi informasi", 0.11,
             {"digital_devices": 0.5, "internet_connectivity": 0.2, "teacher_training": 0.35,
              "curriculum_alignment": 0.35, "internships": 0.5, "teaching_innovation": 0.2},
             {"talent_pipeline": 0.5, "brand_visibility": 0.4, "product_pilot": 0.35,
              "csr_impact": 0.3}, (("SMK", 0.3), ("SMA;SMK;MA", 0.2), ("", 0.5))),
    _Profile("company", "telecommunications", "telekomunikasi", 0.04,
             {"internet_connectivity": 0.9, "digital_devices": 0.4, "funding": 0.2},
             {"csr_impact": 0.6, "brand_visibility": 0.6, "community_access": 0.3}),
    _Profile("company", "banking", "perbankan", 0.09,
             {"funding": 0.6, "scholarships": 0.5, "entrepreneurship": 0.5,
              "career_guidance": 0.2, "internships": 0.3},
             {"csr_impact": 0.7, "brand_visibility": 0.7, "talent_pipeline": 0.3,
              "community_access": 0.2}, (("", 0.7), ("SMA;SMK;MA", 0.3))),
    _Profile("company", "hospitality", "perhotelan dan pariwisata", 0.07,
             {"internships": 0.85, "language_learning": 0.3, "curriculum_alignment": 0.5,
              "competency_certification": 0.3},
             {"talent_pipeline": 0.85, "brand_visibility": 0.3}, (("SMK", 0.7), ("", 0.3))),
    _Profile("company", "health", "kesehatan", 0.06,
             {"health_nutrition": 0.8, "counseling_wellbeing": 0.2, "internships": 0.3,
              "scholarships": 0.15},
             {"csr_impact": 0.5, "community_access": 0.4, "brand_visibility": 0.4,
              "talent_pipeline": 0.2}),
    _Profile("company", "food and beverage", "makanan dan minuman", 0.08,
             {"health_nutrition": 0.6, "internships": 0.4, "entrepreneurship": 0.3,
              "funding": 0.2},
             {"brand_visibility": 0.6, "csr_impact": 0.5, "product_pilot": 0.2,
              "talent_pipeline": 0.3}),
    _Profile("company", "energy", "energi", 0.06,
             {"funding": 0.5, "infrastructure": 0.4, "environment_program": 0.4,
              "scholarships": 0.4, "digital_devices": 0.2},
             {"csr_impact": 0.85, "brand_visibility": 0.5, "community_access": 0.3}),
    _Profile("company", "construction", "konstruksi", 0.05,
             {"infrastructure": 0.8, "internships": 0.4, "funding": 0.2},
             {"csr_impact": 0.6, "talent_pipeline": 0.4, "brand_visibility": 0.3},
             (("", 0.6), ("SMK", 0.4))),
    _Profile("company", "retail", "ritel", 0.06,
             {"entrepreneurship": 0.5, "internships": 0.5, "funding": 0.2,
              "learning_materials": 0.2},
             {"brand_visibility": 0.7, "talent_pipeline": 0.4, "csr_impact": 0.4}),
    _Profile("company", "logistics", "logistik", 0.04,
             {"internships": 0.8, "curriculum_alignment": 0.3, "career_guidance": 0.2},
             {"talent_pipeline": 0.8, "brand_visibility": 0.2}, (("SMK", 0.6), ("", 0.4))),
    _Profile("company", "agriculture and fisheries", "pertanian dan perikanan", 0.05,
             {"internships": 0.5, "entrepreneurship": 0.4, "environment_program": 0.4,
              "health_nutrition": 0.2},
             {"community_access": 0.4, "talent_pipeline": 0.4, "csr_impact": 0.4}),
    _Profile("company", "education", "pendidikan", 0.06,
             {"teacher_training": 0.6, "teaching_innovation": 0.6, "digital_devices": 0.3,
              "leadership_coaching": 0.2, "learning_materials": 0.3, "teacher_career": 0.15},
             {"product_pilot": 0.8, "brand_visibility": 0.5, "community_access": 0.2}),
    _Profile("company", "creative industry", "industri kreatif", 0.04,
             {"arts_culture": 0.6, "entrepreneurship": 0.5, "internships": 0.4},
             {"talent_pipeline": 0.4, "brand_visibility": 0.5, "student_volunteers": 0.2}),
    # universities
    _Profile("university", "teacher education", "pendidikan keguruan", 0.35,
             {"teacher_training": 0.8, "teaching_innovation": 0.7, "research_collaboration": 0.5,
              "leadership_coaching": 0.25, "counseling_wellbeing": 0.2,
              "inclusive_education": 0.1, "teacher_career": 0.3},
             {"teaching_practicum": 0.9, "research_site": 0.6, "community_access": 0.3}),
    _Profile("university", "polytechnic", "politeknik dan vokasi", 0.2,
             {"curriculum_alignment": 0.5, "competency_certification": 0.4,
              "research_collaboration": 0.4, "teacher_training": 0.3, "career_guidance": 0.3},
             {"talent_pipeline": 0.6, "research_site": 0.5, "community_access": 0.2},
             (("SMK", 0.5), ("SMA;SMK;MA", 0.3), ("", 0.2))),
    _Profile("university", "higher education", "pendidikan tinggi", 0.3,
             {"research_collaboration": 0.7, "career_guidance": 0.4, "scholarships": 0.4,
              "teacher_training": 0.3, "language_learning": 0.2, "health_nutrition": 0.1,
              "entrepreneurship": 0.2},
             {"research_site": 0.7, "talent_pipeline": 0.5, "community_access": 0.4,
              "brand_visibility": 0.3, "teaching_practicum": 0.3}, _SEC),
    _Profile("university", "Islamic higher education", "perguruan tinggi Islam", 0.15,
             {"teacher_training": 0.6, "research_collaboration": 0.4, "teaching_innovation": 0.3,
              "counseling_wellbeing": 0.2, "language_learning": 0.3},
             {"teaching_practicum": 0.8, "research_site": 0.5, "community_access": 0.4},
             (("MI;MTs;MA", 0.4), ("", 0.6))),
    # NGOs
    _Profile("ngo", "education", "pendidikan", 0.3,
             {"teacher_training": 0.6, "teaching_innovation": 0.5, "learning_materials": 0.4,
              "leadership_coaching": 0.3, "parent_engagement": 0.3},
             {"community_access": 0.6, "program_reach": 0.2, "product_pilot": 0.3,
              "research_site": 0.2, "student_volunteers": 0.2}),
    _Profile("ngo", "literacy", "literasi", 0.15,
             {"learning_materials": 0.9, "parent_engagement": 0.3, "teacher_training": 0.3},
             {"student_volunteers": 0.5, "community_access": 0.6},
             (("SD;MI", 0.4), ("", 0.6))),
    _Profile("ngo", "disability", "disabilitas", 0.12,
             {"inclusive_education": 0.95, "counseling_wellbeing": 0.3, "teacher_training": 0.3},
             {"community_access": 0.6, "research_site": 0.2, "program_reach": 0.2},
             (("SLB;SD;MI", 0.3), ("", 0.7))),
    _Profile("ngo", "environment", "lingkungan hidup", 0.15,
             {"environment_program": 0.95, "health_nutrition": 0.1},
             {"student_volunteers": 0.7, "community_access": 0.6, "venue_facilities": 0.2}),
    _Profile("ngo", "health", "kesehatan", 0.13,
             {"health_nutrition": 0.9, "counseling_wellbeing": 0.3, "parent_engagement": 0.3},
             {"community_access": 0.7, "program_reach": 0.3, "research_site": 0.2},
             (("SD;MI;SMP;MTs", 0.3), ("", 0.7))),
    _Profile("ngo", "child protection", "perlindungan anak", 0.15,
             {"counseling_wellbeing": 0.85, "parent_engagement": 0.5, "inclusive_education": 0.15},
             {"community_access": 0.7, "student_volunteers": 0.3, "research_site": 0.2}),
    # communities
    _Profile("community", "arts", "seni", 0.2, {"arts_culture": 0.95},
             {"venue_facilities": 0.7, "student_volunteers": 0.5, "community_access": 0.3}),
    _Profile("community", "sports", "olahraga", 0.2, {"sports": 0.95, "health_nutrition": 0.1},
             {"venue_facilities": 0.8, "student_volunteers": 0.4}),
    _Profile("community", "environment", "lingkungan", 0.2, {"environment_program": 0.95},
             {"student_volunteers": 0.7, "community_access": 0.5, "venue_facilities": 0.2}),
    _Profile("community", "literacy", "literasi", 0.15,
             {"learning_materials": 0.8, "language_learning": 0.3, "parent_engagement": 0.3},
             {"student_volunteers": 0.6, "venue_facilities": 0.5}, (("SD;MI", 0.4), ("", 0.6))),
    _Profile("community", "technology", "teknologi", 0.15,
             {"digital_devices": 0.2, "teaching_innovation": 0.3, "entrepreneurship": 0.3,
              "teacher_training": 0.3, "language_learning": 0.1},
             {"venue_facilities": 0.6, "student_volunteers": 0.5, "community_access": 0.3}),
    _Profile("community", "youth", "kepemudaan", 0.1,
             {"entrepreneurship": 0.5, "career_guidance": 0.4, "sports": 0.2, "arts_culture": 0.2},
             {"student_volunteers": 0.7, "venue_facilities": 0.5, "community_access": 0.4}),
    # government
    _Profile("government", "education", "pendidikan", 0.22,
             {"teacher_training": 0.7, "leadership_coaching": 0.4, "teacher_career": 0.4,
              "learning_materials": 0.3, "funding": 0.3, "infrastructure": 0.3},
             {"program_reach": 0.9, "research_site": 0.1, "community_access": 0.2}),
    _Profile("government", "health", "kesehatan", 0.2,
             {"health_nutrition": 0.95, "counseling_wellbeing": 0.3},
             {"program_reach": 0.9, "community_access": 0.4}),
    _Profile("government", "environment", "lingkungan hidup", 0.1,
             {"environment_program": 0.95, "infrastructure": 0.1},
             {"program_reach": 0.9, "student_volunteers": 0.3}),
    _Profile("government", "ICT", "komunikasi dan informatika", 0.1,
             {"internet_connectivity": 0.8, "digital_devices": 0.5, "teacher_training": 0.2},
             {"program_reach": 0.9}),
    _Profile("government", "labour", "ketenagakerjaan", 0.1,
             {"competency_certification": 0.7, "internships": 0.4, "career_guidance": 0.5},
             {"program_reach": 0.9, "talent_pipeline": 0.2}, (("SMK", 0.6), ("", 0.4))),
    _Profile("government", "library", "perpustakaan", 0.08,
             {"learning_materials": 0.95, "parent_engagement": 0.2},
             {"program_reach": 0.9, "venue_facilities": 0.2}),
    _Profile("government", "youth and sports", "kepemudaan dan olahraga", 0.08,
             {"sports": 0.9, "entrepreneurship": 0.2}, {"program_reach": 0.9,
                                                        "venue_facilities": 0.3}),
    _Profile("government", "culture", "kebudayaan", 0.06, {"arts_culture": 0.9},
             {"program_reach": 0.9, "venue_facilities": 0.3}),
    _Profile("government", "child protection", "perlindungan anak", 0.06,
             {"counseling_wellbeing": 0.7, "parent_engagement": 0.6, "inclusive_education": 0.2},
             {"program_reach": 0.9, "community_access": 0.3}),
    # foundations
    _Profile("foundation", "philanthropy", "filantropi", 0.35,
             {"funding": 0.85, "scholarships": 0.5, "infrastructure": 0.3,
              "learning_materials": 0.2},
             {"csr_impact": 0.7, "brand_visibility": 0.3, "program_reach": 0.2}),
    _Profile("foundation", "education", "pendidikan", 0.35,
             {"scholarships": 0.6, "teacher_training": 0.4, "leadership_coaching": 0.3,
              "learning_materials": 0.3, "digital_devices": 0.2, "funding": 0.3},
             {"csr_impact": 0.5, "community_access": 0.4, "research_site": 0.1}),
    _Profile("foundation", "corporate social responsibility", "CSR perusahaan", 0.2,
             {"funding": 0.6, "digital_devices": 0.3, "infrastructure": 0.3, "scholarships": 0.4,
              "environment_program": 0.2},
             {"csr_impact": 0.9, "brand_visibility": 0.7}),
    _Profile("foundation", "health", "kesehatan", 0.1,
             {"health_nutrition": 0.8, "funding": 0.3},
             {"csr_impact": 0.6, "community_access": 0.5}),
    # schools as partners
    _Profile("school", "model school", "sekolah penggerak", 0.5,
             {"teaching_innovation": 0.7, "teacher_training": 0.5, "leadership_coaching": 0.3,
              "environment_program": 0.2},
             {"research_collaboration": 0.2, "brand_visibility": 0.3, "student_volunteers": 0.2,
              "community_access": 0.2},
             (("SD;MI", 0.3), ("SMP;MTs", 0.3), ("SMA;SMK;MA", 0.3), ("", 0.1))),
    _Profile("school", "vocational centre of excellence", "SMK pusat keunggulan", 0.25,
             {"curriculum_alignment": 0.6, "competency_certification": 0.5,
              "teaching_innovation": 0.4, "internships": 0.2},
             {"brand_visibility": 0.3, "venue_facilities": 0.2}, (("SMK", 0.9), ("", 0.1))),
    _Profile("school", "international school", "sekolah internasional", 0.25,
             {"language_learning": 0.8, "arts_culture": 0.3, "sports": 0.3,
              "teaching_innovation": 0.4},
             {"community_access": 0.6, "student_volunteers": 0.4,
              "research_collaboration": 0.1}),
    # media
    _Profile("media", "radio", "radio", 0.3,
             {"arts_culture": 0.4, "language_learning": 0.3, "parent_engagement": 0.3,
              "career_guidance": 0.2},
             {"community_access": 0.7, "student_volunteers": 0.5, "brand_visibility": 0.3}),
    _Profile("media", "news", "berita", 0.4,
             {"learning_materials": 0.3, "career_guidance": 0.3, "entrepreneurship": 0.2,
              "language_learning": 0.2, "arts_culture": 0.2},
             {"community_access": 0.6, "student_volunteers": 0.5, "brand_visibility": 0.4}),
    _Profile("media", "television", "televisi", 0.3,
             {"arts_culture": 0.4, "parent_engagement": 0.3, "career_guidance": 0.2},
             {"community_access": 0.6, "venue_facilities": 0.3, "student_volunteers": 0.4}),
)  # fmt: skip

_TYPE_SHARE = {
    "company": 0.30,
    "university": 0.12,
    "ngo": 0.15,
    "community": 0.12,
    "government": 0.08,
    "foundation": 0.10,
    "school": 0.08,
    "media": 0.05,
}
_TYPE_ID = {
    "company": "perusahaan",
    "university": "perguruan tinggi",
    "ngo": "lembaga swadaya masyarakat",
    "community": "komunitas",
    "government": "instansi pemerintah",
    "foundation": "yayasan",
    "school": "sekolah",
    "media": "perusahaan media",
}
_TYPE_EN = {
    "company": "company",
    "university": "university",
    "ngo": "non-profit organisation",
    "community": "community group",
    "government": "government agency",
    "foundation": "foundation",
    "school": "school",
    "media": "media company",
}
# type -> (online probability, radius range km, capacity range)
_TYPE_PARAMS: dict[str, tuple[float, tuple[float, float], tuple[int, int]]] = {
    "company": (0.15, (30.0, 60.0), (3, 10)),
    "university": (0.28, (50.0, 100.0), (5, 20)),
    "ngo": (0.3, (20.0, 80.0), (2, 10)),
    "community": (0.08, (5.0, 25.0), (1, 5)),
    "government": (0.06, (25.0, 60.0), (5, 20)),
    "foundation": (0.3, (20.0, 150.0), (3, 15)),
    "school": (0.08, (5.0, 20.0), (1, 4)),
    "media": (0.45, (20.0, 100.0), (2, 8)),
}

_WORD_A = (
    "Sinar",
    "Surya",
    "Cahaya",
    "Mitra",
    "Karya",
    "Tirta",
    "Bumi",
    "Putra",
    "Maju",
    "Mega",
    "Nusa",
    "Artha",
    "Indo",
    "Berkah",
    "Cipta",
    "Dharma",
    "Gemilang",
    "Bintang",
    "Bahari",
    "Permata",
    "Mulia",
    "Tunas",
    "Sentral",
    "Dwi",
    "Tri",
)
_WORD_B = (
    "Jaya",
    "Abadi",
    "Mandiri",
    "Nusantara",
    "Makmur",
    "Utama",
    "Prima",
    "Sentosa",
    "Perkasa",
    "Lestari",
    "Sejahtera",
    "Gemilang",
    "Indonesia",
    "Persada",
    "Raya",
    "Timur",
    "Sakti",
)
_SECTOR_WORD = {
    "manufacturing": ("Industri", "Manufaktur", "Plastik", "Logam", "Kemasan", "Baja"),
    "automotive": ("Motor", "Otomotif", "Otoparts", "Mesin"),
    "ICT": ("Digital", "Teknologi", "Informatika", "Data", "Sistem"),
    "telecommunications": ("Telekomunikasi", "Net", "Seluler", "Jaringan"),
    "banking": ("Finansial", "Artha", "Dana"),
    "hospitality": ("Hotel", "Wisata", "Resort"),
    "health": ("Farma", "Medika", "Husada"),
    "food and beverage": ("Pangan", "Food", "Boga", "Rasa"),
    "energy": ("Energi", "Daya", "Migas"),
    "construction": ("Konstruksi", "Bangun", "Beton"),
    "retail": ("Retail", "Niaga", "Swalayan"),
    "logistics": ("Logistik", "Ekspres", "Kargo"),
    "agriculture and fisheries": ("Agro", "Tani", "Perikanan", "Bahari"),
    "education": ("Edukasi", "Belajar", "Pintar", "Ilmu"),
    "creative industry": ("Kreatif", "Studio", "Desain", "Media"),
}
_UNI_NAMES = (
    "Cendekia Nusantara",
    "Bina Insan Mulia",
    "Mitra Cendekia",
    "Surya Mandiri",
    "Tunas Bangsa",
    "Nusa Bakti",
    "Harapan Nusantara",
    "Bhakti Persada",
    "Karya Mandala",
    "Sinar Ilmu",
    "Dharma Cendekia",
    "Widya Nusantara",
    "Insan Kamil",
    "Pelita Ilmu",
    "Bumi Cendekia",
    "Garuda Mandiri",
    "Wira Bhakti",
    "Dwija Utama",
)
_ISLAMIC_NAMES = (
    "Al-Hidayah",
    "Nurul Huda",
    "Miftahul Ulum",
    "Darul Ulum",
    "Al-Falah",
    "Nurul Islam",
    "Raudlatul Ulum",
    "Hidayatul Mubtadiin",
    "Al-Amin",
    "Al-Ikhlas",
    "Bahrul Ulum",
    "Mambaul Ulum",
    "Sabilul Huda",
    "Al-Khoiriyah",
    "Tarbiyatul Islam",
    "Salafiyah",
    "Al-Muttaqin",
    "Nurul Jadid",
    "Annuqayah",
    "Darussalam",
    "Al-Hikmah",
    "Nurul Iman",
)
_FOUNDATIONS = (
    ("Muhammadiyah", True),
    ("PGRI", True),
    ("Hang Tuah", True),
    ("Kristen Petra", True),
    ("Katolik Santa Maria", False),
    ("Taman Siswa", False),
    ("Dharma Wanita", True),
    ("Al-Irsyad", False),
    ("Wachid Hasyim", True),
    ("Ma'arif NU", True),
    ("Kemala Bhayangkari", True),
    ("Budi Utomo", False),
    ("Bina Bangsa", False),
    ("Tunas Harapan", False),
    ("Cendekia", False),
    ("Islam Al-Azhar", True),
    ("YPM", True),
    ("Kartika", True),
)
_NGO_PATTERNS = {
    "education": ("Gerakan {x} Mengajar", "Lembaga Pendidikan {x}", "Perkumpulan Guru {x}"),
    "literacy": ("Rumah Baca {x}", "Gerakan Literasi {x}", "Taman Bacaan {x}"),
    "disability": ("Sahabat Inklusi {x}", "Perkumpulan Peduli Disabilitas {x}",
                   "Pusat Layanan ABK {x}"),
    "environment": ("Gerakan Hijau {x}", "Lembaga Lingkungan {x}", "Jaringan Peduli Sampah {x}"),
    "health": ("Lembaga Gizi {x}", "Gerakan Sehat {x}", "Perkumpulan Kesehatan Anak {x}"),
    "child protection": ("Lembaga Perlindungan Anak {x}", "Sahabat Anak {x}",
                         "Rumah Aman Anak {x}"),
}  # fmt: skip
_NGO_X = (
    "Nusantara",
    "Indonesia",
    "Bangsa",
    "Cerdas",
    "Pelangi",
    "Harapan",
    "Lentera",
    "Mentari",
    "Cakrawala",
    "Pelita",
    "Semesta",
    "Bhinneka",
)
_COMMUNITY_ACT = {
    "arts": ("Seni Tari", "Karawitan", "Teater", "Musik Patrol", "Pecinta Batik"),
    "sports": ("Futsal", "Pencak Silat", "Bola Voli", "Lari", "Catur"),
    "environment": ("Peduli Sampah", "Pecinta Alam", "Bank Sampah", "Hijau"),
    "literacy": ("Relawan Literasi", "Pustaka Bergerak", "Pendongeng"),
    "technology": ("Coding Anak", "Robotika", "Pemuda Digital", "Maker"),
    "youth": ("Pemuda Kreatif", "Relawan Muda", "Karang Taruna"),
}
_GOV_AGENCY = {
    "education": "Dinas Pendidikan",
    "health": "Dinas Kesehatan",
    "environment": "Dinas Lingkungan Hidup",
    "ICT": "Dinas Komunikasi dan Informatika",
    "labour": "UPT Balai Latihan Kerja",
    "library": "Dinas Perpustakaan dan Kearsipan",
    "youth and sports": "Dinas Kepemudaan dan Olahraga",
    "culture": "Dinas Kebudayaan dan Pariwisata",
    "child protection": "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
}
_FOUNDATION_PATTERNS = {
    "philanthropy": ("Yayasan Peduli {x}", "Yayasan Dana {x}", "Yayasan Kasih {x}"),
    "education": ("Yayasan Pendidikan {x}", "Yayasan Beasiswa {x}", "Yayasan Cerdas {x}"),
    "corporate social responsibility": ("Yayasan {a} {b} Peduli", "Yayasan {a} Berbagi"),
    "health": ("Yayasan Kesehatan {x}", "Yayasan Gizi {x}"),
}
_MEDIA_PATTERNS = {
    "radio": ("Radio {a} {freq} FM", "Radio Suara {city}"),
    "news": ("Harian {a} {b}", "{city} Pos", "Portal Berita {a}{b}.id"),
    "television": ("{a} TV {city}", "Televisi Lokal {city}"),
}

# --------------------------------------------------------------------------------------
# Fixed records
# --------------------------------------------------------------------------------------

PGRI6_ID = "20532541"
KUANTA_ID = "P-KUANTA"
_PGRI6: dict[str, Any] = {
    "school_id": PGRI6_ID,
    "name": "SMP PGRI 6 Surabaya",
    "level": "SMP",
    "ownership": "swasta",
    "province": "Jawa Timur",
    "regency": "Kota Surabaya",
    "district": "Semampir",
    "latitude": -7.2210,
    "longitude": 112.7490,
    "students": 180,
    "teachers": 14,
    "accreditation": "B",
    "needs": (
        "leadership_coaching",
        "teacher_training",
        "environment_program",
        "teaching_innovation",
    ),
    "offers": ("teaching_practicum", "community_access", "student_volunteers"),
    "description": (
        "SMP PGRI 6 Surabaya adalah sekolah swasta kecil di Jalan Bulak Rukem III No 7-9, "
        "Wonokusumo, Semampir, Surabaya, dengan sekitar 180 siswa dan 14 guru. Sekolah kami "
        "peduli lingkungan dan sedang menuju sekolah Adiwiyata: siswa mengelola bank sampah, "
        "daur ulang dan penghijauan di kampung sekitar. Kepala sekolah ingin membangun "
        "kemitraan untuk mencetak generasi unggul, sehingga kami membutuhkan pendampingan "
        "kepala sekolah, pelatihan guru dan metode pembelajaran inovatif. Kami terbuka menerima "
        "mahasiswa PPL, mengajak relawan siswa, dan menjembatani kegiatan bersama warga "
        "Wonokusumo."
    ),
    "languages": ("id", "jv"),
    "capacity": 3,
}
_KUANTA: dict[str, Any] = {
    "partner_id": KUANTA_ID,
    "name": "Kuanta",
    "type": "company",
    "sector": "education",
    "province": "Jawa Timur",
    "regency": "Kota Surabaya",
    "latitude": -7.2650,
    "longitude": 112.7430,
    "service_radius_km": 50.0,
    "online": True,
    "offers": ("leadership_coaching", "teacher_training", "teaching_innovation", "teacher_career"),
    "needs": ("brand_visibility", "community_access", "product_pilot"),
    "levels": (),
    "description": (
        "Kuanta adalah perusahaan edukasi yang mendampingi kepala sekolah dan guru secara "
        "online. Lewat webinar 'Edu Time – Kepsek Jaman Now' di Zoom, we coach principals on "
        "school leadership and help teachers with innovative teaching methods and their "
        "career development. Program coaching kepala sekolah dan pelatihan guru kami bisa "
        "diikuti dari mana saja. Kami mencari sekolah mitra untuk uji coba program baru, "
        "berbagi cerita dampak, dan menjangkau komunitas guru."
    ),
    "languages": ("id", "en"),
    "capacity": 40,
}

# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, n: int, probs: Sequence[float] | FloatArray) -> IntArray:
    """Draw ``n`` category indices with the given (unnormalised) probabilities."""
    p = np.asarray(probs, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def _pick_rows(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """One category per row of an (n, k) weight matrix."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1).astype(np.int64)


def _top_k_rows(rng: np.random.Generator, weights: FloatArray, k: IntArray) -> BoolArray:
    """Per row, ``k[i]`` distinct columns drawn with probability proportional to weight."""
    with np.errstate(divide="ignore"):
        keys = np.log(weights) + rng.gumbel(size=weights.shape)
    order = np.argsort(-keys, axis=1)
    rank = np.empty_like(order)
    rows = np.arange(len(weights))[:, None]
    rank[rows, order] = np.arange(weights.shape[1])[None, :]
    return (rank < k[:, None]) & (weights > 0)


_POW2 = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
_BYTE_POP = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def _masks(m: BoolArray) -> UIntArray:
    """Pack the rows of a boolean (n, <=64) matrix into uint64 bit masks."""
    out = np.zeros(len(m), dtype=np.uint64)
    for j in range(m.shape[1]):
        out |= np.where(m[:, j], _POW2[j], np.uint64(0))
    return out


def _popcount(x: UIntArray) -> IntArray:
    """Number of set bits of each uint64."""
    b = np.ascontiguousarray(x).view(np.uint8).reshape(-1, 8)
    return _BYTE_POP[b].sum(axis=1)


def _join_masks(m: BoolArray, names: Sequence[str]) -> ObjArray:
    """``;``-joined names of the true columns of each row (cached per distinct row)."""
    masks = _masks(m)
    uniq, inv = np.unique(masks, return_inverse=True)
    strings = []
    for u in uniq.tolist():
        strings.append(";".join(names[j] for j in range(len(names)) if (u >> j) & 1))
    return np.asarray(strings, dtype=object)[inv.ravel()]


def _haversine(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distance in km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _fmt(values: FloatArray, fmt: str) -> ObjArray:
    """Format floats as strings; NaN becomes the empty string."""
    out = np.full(len(values), "", dtype=object)
    ok = ~np.isnan(values)
    out[ok] = [fmt % v for v in values[ok].tolist()]
    return out


def _int_str(values: FloatArray) -> ObjArray:
    """Integers as strings; NaN becomes the empty string."""
    out = np.full(len(values), "", dtype=object)
    ok = ~np.isnan(values)
    out[ok] = values[ok].astype(np.int64).astype(str)
    return out


def _sigmoid(x: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-x))


def _place_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """``n`` distinct synthetic Indonesian place names not in ``taken``."""
    out: list[str] = []
    while len(out) < n:
        h = _PLACE_HEAD[int(rng.integers(len(_PLACE_HEAD)))]
        t = _PLACE_TAIL[int(rng.integers(len(_PLACE_TAIL)))]
        name = h + t if rng.random() < 0.6 else f"{h} {t.capitalize()}"
        if name in taken:
            name = f"{name} {_COMPASS[int(rng.integers(len(_COMPASS)))]}"
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


# --------------------------------------------------------------------------------------
# Districts
# --------------------------------------------------------------------------------------


def _east_java_rows(rng: np.random.Generator, total_weight: float) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for regency, short, is_kota, share, sigma, lang2, lang2_p, kecs in _EAST_JAVA:
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


def _district_table(rng: np.random.Generator, national: bool) -> pd.DataFrame:
    """Kecamatan with centre, spread, remoteness and share of schools."""
    if not national:
        return pd.DataFrame(_east_java_rows(rng, 1.0))
    total_w = sum(p[8] for p in _PROVINCES)
    rows: list[dict[str, object]] = []
    taken_reg: set[str] = {r[0].split(" ", 1)[1] for r in _EAST_JAVA}
    for prov, capital, clat, clon, la0, la1, lo0, lo1, w, remote, lang2, lang2_p in _PROVINCES:
        share = w / total_w
        n_reg = max(2, int(round(share * 514)))
        regs: list[tuple[str, str, bool, float, float]] = []
        if prov == "DKI Jakarta":
            regs = [
                (r, r.replace("Jakarta ", ""), True, la, lo) for r, la, lo in _JAKARTA_REGENCIES
            ]
        elif prov == "DI Yogyakarta":
            regs = [
                (r, r.split(" ", 1)[1], r.startswith("Kota"), la, lo)
                for r, la, lo in _YOGYA_REGENCIES
            ]
        else:
            if prov != "Jawa Timur":
                regs.append((f"Kota {capital}", capital, True, clat, clon))
                taken_reg.add(capital)
                n_syn = n_reg - 1
            else:
                n_syn = n_reg - len(_EAST_JAVA)
            for name in _place_names(rng, n_syn, taken_reg):
                lat = float(np.clip(clat + (rng.uniform(la0, la1) - clat) * 0.9, la0, la1))
                lon = float(np.clip(clon + (rng.uniform(lo0, lo1) - clon) * 0.9, lo0, lo1))
                regs.append((f"Kabupaten {name}", name, False, lat, lon))
        if prov == "Jawa Timur":
            ej = _east_java_rows(rng, share * len(_EAST_JAVA) / n_reg)
            rows.extend(ej)
        reg_w = rng.dirichlet(np.full(len(regs), 3.0)) * share
        if prov == "Jawa Timur":
            reg_w *= 1.0 - len(_EAST_JAVA) / n_reg
        for (regency, short, kota, rlat, rlon), rw in zip(regs, reg_w, strict=True):
            n_d = int(rng.integers(4, 10)) if kota else int(rng.integers(8, 22))
            spread = 0.04 if kota else 0.12 + 0.25 * remote
            taken_d: set[str] = set()
            names = _place_names(rng, n_d, taken_d)
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


# --------------------------------------------------------------------------------------
# Schools
# --------------------------------------------------------------------------------------


@dataclass
class _Side:
    """Latent arrays of one side, used to simulate outcomes.

    For schools ``need`` holds the true needs (tags and description), ``latent`` the
    engagement, ``level`` the level index and ``implicit`` how well the school meets
    partner needs it does not list (by code). For partners ``need`` holds the stated
    needs, ``latent`` the reliability and ``level`` a bit mask of levels served (0: all).
    """

    lat: FloatArray
    lon: FloatArray
    need: UIntArray
    offer: UIntArray
    lang: IntArray
    latent: FloatArray
    join: FloatArray
    level: IntArray
    n_need: IntArray
    implicit: dict[int, FloatArray] | None = None
    radius: FloatArray | None = None
    online: BoolArray | None = None
    capacity: FloatArray | None = None
    activity: FloatArray | None = None


_LEVEL_P = np.array([0.50, 0.14, 0.06, 0.07, 0.015, 0.10, 0.075, 0.04])
_NEGERI_P = np.array([0.86, 0.45, 0.35, 0.2, 0.2, 0.05, 0.08, 0.12])
_MEDIAN_NEGERI = np.array([190, 650, 900, 1100, 80, 300, 700, 700], dtype=np.float64)
_MEDIAN_SWASTA = np.array([150, 220, 250, 350, 50, 120, 150, 110], dtype=np.float64)
_RATIO = np.array([18, 16, 16, 17, 5, 15, 14, 13], dtype=np.float64)


def _school_need_weights(level: IntArray) -> FloatArray:
    """Base weight of each school-need code for the random extra needs, by level."""
    w = np.full((len(level), N_CODES), 0.0)
    base = {
        "teacher_training": 3.0, "teaching_innovation": 2.5, "leadership_coaching": 1.0,
        "teacher_career": 1.0, "digital_devices": 2.5, "internet_connectivity": 1.0,
        "learning_materials": 2.0, "infrastructure": 2.0, "funding": 1.5, "scholarships": 1.5,
        "career_guidance": 0.5, "research_collaboration": 0.4, "health_nutrition": 1.0,
        "counseling_wellbeing": 1.0, "environment_program": 1.2, "arts_culture": 1.0,
        "sports": 1.0, "language_learning": 1.5, "entrepreneurship": 0.6,
        "inclusive_education": 0.5, "parent_engagement": 1.0,
    }  # fmt: skip
    for code, v in base.items():
        w[:, CI[code]] = v
    sec = np.isin(level, [LI["SMA"], LI["SMK"], LI["MA"]])
    prim = np.isin(level, [LI["SD"], LI["MI"]])
    w[prim, CI["career_guidance"]] = 0.05
    w[prim, CI["research_collaboration"]] = 0.2
    w[sec, CI["career_guidance"]] = 2.5
    w[sec, CI["entrepreneurship"]] = 1.5
    w[prim, CI["health_nutrition"]] = 2.0
    w[prim, CI["parent_engagement"]] = 2.0
    w[prim, CI["learning_materials"]] = 3.0
    w[level == LI["SMK"], CI["entrepreneurship"]] = 2.0
    w[np.isin(level, [LI["SMP"], LI["SMA"], LI["MTs"], LI["MA"]]), CI["counseling_wellbeing"]] = 2
    return w


def _make_schools(
    rng: np.random.Generator, districts: pd.DataFrame, n: int, national: bool
) -> tuple[pd.DataFrame, _Side]:
    """Draw ``n`` schools (the first is SMP PGRI 6 Surabaya)."""
    m = n - 1
    dw = districts["weight"].to_numpy(dtype=np.float64)
    d = _pick(rng, m, dw)
    dist = districts.iloc[d].reset_index(drop=True)
    kota = dist["kota"].to_numpy(dtype=bool)
    remote_p = dist["remote"].to_numpy(dtype=np.float64)
    remote = rng.random(m) < np.where(kota, 0.0, np.maximum(remote_p, 0.04))
    is_sumenep = (dist["regency"] == "Kabupaten Sumenep").to_numpy()

    # level, with more madrasah in Madura and more SMA/SMK in cities
    lw = np.tile(_LEVEL_P, (m, 1))
    mad = [LI["MI"], LI["MTs"], LI["MA"]]
    lw[np.ix_(np.flatnonzero(is_sumenep), np.asarray(mad))] *= 2.2
    lw[np.ix_(np.flatnonzero(kota), np.asarray([LI["SMA"], LI["SMK"]]))] *= 1.3
    level = _pick_rows(rng, lw)
    if m >= len(LEVELS):  # every level present
        missing = [i for i in range(len(LEVELS)) if not np.any(level == i)]
        if missing:
            slots = rng.choice(m, size=len(missing), replace=False)
            level[slots] = missing
    madrasah = np.isin(level, mad)
    pneg = _NEGERI_P[level] * np.where(kota & (level == LI["SD"]), 0.85, 1.0)
    negeri = rng.random(m) < pneg

    # size
    med = np.where(negeri, _MEDIAN_NEGERI[level], _MEDIAN_SWASTA[level])
    sig = np.where(negeri, 0.45, 0.7)
    students = med * np.exp(rng.normal(0, sig)) * np.where(remote, 0.55, 1.0)
    small_private = ~negeri & (rng.random(m) < 0.3) & (level != LI["SLB"])
    students = np.where(small_private, rng.integers(40, 121, m), students)
    students = np.clip(np.round(students), 12, 3600)
    students = np.where(level == LI["SLB"], np.clip(students, 12, 320), students)
    small_private = small_private | (~negeri & (students <= 120))
    teachers = np.maximum(
        np.round(students / _RATIO[level] * np.exp(rng.normal(0, 0.2, m))),
        np.where(level == LI["SLB"], 4, 6),
    )

    # accreditation
    z = (
        0.9 * np.log(students / _MEDIAN_NEGERI[level])
        + 0.8 * negeri
        - 0.7 * remote
        - 0.5 * small_private
        + rng.normal(0, 0.7, m)
        + 0.2
    )
    acc_idx = np.select([z > 1.0, z > -0.5, z > -1.5], [0, 1, 2], 3)
    accreditation = np.array(["A", "B", "C", "none"], dtype=object)[acc_idx]

    # needs: profile-driven and random extras
    p = np.zeros((m, N_CODES))
    smk = level == LI["SMK"]
    p[smk, CI["internships"]] = 0.85
    p[smk, CI["curriculum_alignment"]] = 0.7
    p[smk, CI["competency_certification"]] = 0.6
    p[level == LI["SLB"], CI["inclusive_education"]] = 0.95
    p[remote, CI["internet_connectivity"]] = 0.8
    p[remote, CI["digital_devices"]] = 0.7
    p[remote, CI["infrastructure"]] = 0.3
    p[remote, CI["learning_materials"]] = 0.25
    p[small_private, CI["leadership_coaching"]] = 0.6
    p[small_private, CI["funding"]] = 0.6
    p[(acc_idx >= 2), CI["leadership_coaching"]] = np.maximum(
        p[(acc_idx >= 2), CI["leadership_coaching"]], 0.35
    )
    need = rng.random((m, N_CODES)) < p
    k_extra = rng.integers(1, 4, m)
    k_extra = np.where(need.sum(axis=1) >= 3, k_extra - 1, k_extra)
    need |= _top_k_rows(rng, _school_need_weights(level) * ~need, k_extra)

    # which needs are only written in the description
    has_desc = rng.random(m) > 0.04
    hidden = need & (rng.random((m, N_CODES)) < 0.22) & has_desc[:, None]
    tags = need & ~hidden
    empty = ~tags.any(axis=1)
    if empty.any():
        keys = np.where(need[empty], rng.random((int(empty.sum()), N_CODES)), -1.0)
        j = keys.argmax(axis=1)
        tags[np.flatnonzero(empty), j] = True
        hidden[np.flatnonzero(empty), j] = False
    need = tags | hidden

    # offers
    ow = np.zeros((m, N_CODES))
    ow[:, CI["teaching_practicum"]] = np.where(students > 300, 3.0, 1.5)
    ow[:, CI["research_site"]] = 1.5
    ow[:, CI["venue_facilities"]] = np.where(students > 400, 2.0, 0.8)
    ow[:, CI["student_volunteers"]] = np.where(np.isin(level, [0, 5, 4]), 0.6, 2.0)
    ow[:, CI["community_access"]] = np.where(kota, 1.0, 2.0)
    ow[:, CI["talent_pipeline"]] = np.select(
        [smk, np.isin(level, [LI["SMA"], LI["MA"]])], [4.0, 0.8], 0.0
    )
    for code, v in (
        ("product_pilot", 0.4), ("brand_visibility", 0.3), ("csr_impact", 0.2),
        ("program_reach", 0.2), ("environment_program", 0.4), ("arts_culture", 0.4),
        ("sports", 0.4), ("research_collaboration", 0.3), ("entrepreneurship", 0.3),
        ("teaching_innovation", 0.3), ("language_learning", 0.15),
    ):  # fmt: skip
        ow[:, CI[code]] = v
    ow[smk, CI["entrepreneurship"]] = 1.2
    ow *= ~need
    k_off = np.where(rng.random(m) < 0.6, rng.integers(1, 4, m), 0)
    offer = _top_k_rows(rng, ow, k_off)

    # languages
    lang2 = dist["lang2"].to_numpy(dtype=object)
    lang2_p = dist["lang2_p"].to_numpy(dtype=np.float64)
    has2 = (rng.random(m) < lang2_p) & (lang2 != "")
    has_en = rng.random(m) < np.where(acc_idx == 0, 0.08, 0.02) * np.where(kota, 2.0, 1.0)
    lang = 1 + np.where(has_en, 2, 0)
    for code, bit in LANG_BITS.items():
        if code not in ("id", "en"):
            lang = lang + np.where(has2 & (lang2 == code), bit, 0)

    # coordinates
    sigma = dist["sigma"].to_numpy(dtype=np.float64) * np.where(remote & ~kota, 2.2, 1.0)
    lat = np.clip(dist["lat"].to_numpy(dtype=np.float64) + rng.normal(0, sigma), *LAT_RANGE)
    lon = np.clip(dist["lon"].to_numpy(dtype=np.float64) + rng.normal(0, sigma), *LON_RANGE)

    capacity = np.clip(
        _pick(rng, m, [0.1, 0.2, 0.45, 0.15, 0.1]) + 1 + (students > 900) - small_private, 1, 5
    )

    # identifiers
    ids = _school_ids(rng, madrasah, national)

    frame = pd.DataFrame(
        {
            "school_id": ids,
            "level": np.asarray(LEVELS, dtype=object)[level],
            "ownership": np.where(negeri, "negeri", "swasta").astype(object),
            "province": dist["province"].to_numpy(dtype=object),
            "regency": dist["regency"].to_numpy(dtype=object),
            "district": dist["district"].to_numpy(dtype=object),
            "short": dist["short"].to_numpy(dtype=object),
            "kota": kota,
        }
    )
    frame["name"] = _school_names(rng, frame)
    frame["latitude"] = lat
    frame["longitude"] = lon
    frame["students"] = students
    frame["teachers"] = teachers
    frame["accreditation"] = accreditation
    frame["needs"] = _join_masks(tags, CODES)
    frame["offers"] = _join_masks(offer, CODES)
    frame["languages"] = _join_masks(
        (lang[:, None] & np.array(list(LANG_BITS.values()))[None, :]) > 0, list(LANG_BITS)
    )
    frame["capacity"] = capacity.astype(np.float64)
    frame["description"] = _school_descriptions(rng, frame, tags, hidden, offer, remote, has_desc)

    # blanks in optional fields, as real uploads have them
    blank = rng.random((m, 4))
    frame.loc[blank[:, 0] < 0.01, ["students", "teachers"]] = np.nan
    frame.loc[blank[:, 1] < 0.02, "languages"] = ""
    frame.loc[blank[:, 2] < 0.05, "capacity"] = np.nan
    frame.loc[blank[:, 3] < 0.01, "district"] = ""

    # fixed school first
    fixed = pd.DataFrame([{k: _PGRI6[k] for k in SCHOOL_COLUMNS}])
    for col in ("needs", "offers", "languages"):
        fixed[col] = ";".join(_PGRI6[col])
    frame = pd.concat([fixed, frame[list(SCHOOL_COLUMNS)]], ignore_index=True)

    # latent side
    f_need = np.zeros((1, N_CODES), dtype=bool)
    f_off = np.zeros((1, N_CODES), dtype=bool)
    for c in _PGRI6["needs"]:
        f_need[0, CI[c]] = True
    for c in _PGRI6["offers"]:
        f_off[0, CI[c]] = True
    all_need = np.vstack([f_need, need])
    all_off = np.vstack([f_off, offer])
    level_all = np.concatenate([[LI["SMP"]], level]).astype(np.int64)
    students_all = np.concatenate([[180.0], students])
    negeri_all = np.concatenate([[False], negeri])
    remote_all = np.concatenate([[False], remote])
    small_all = np.concatenate([[False], small_private])
    acc_all = np.concatenate([[1], acc_idx])
    kota_all = np.concatenate([[True], kota])
    n_need = all_need.sum(axis=1).astype(np.int64)
    needy = remote_all | small_all | (acc_all >= 2) | (n_need >= 4)
    sec = np.isin(level_all, [LI["SMP"], LI["SMA"], LI["SMK"], LI["MTs"], LI["MA"]])
    implicit: dict[int, FloatArray] = {
        CI["csr_impact"]: np.where(needy, 0.7, 0.3),
        CI["brand_visibility"]: np.where((students_all >= 600) | (acc_all == 0), 0.7, 0.25),
        CI["program_reach"]: np.where(negeri_all | remote_all, 0.7, 0.35),
        CI["product_pilot"]: np.where((students_all >= 300) & ~remote_all, 0.5, 0.2),
        CI["community_access"]: np.where(kota_all, 0.3, 0.5),
        CI["student_volunteers"]: np.where(sec, 0.4, 0.1),
        CI["venue_facilities"]: np.where(students_all >= 500, 0.3, 0.1),
        CI["talent_pipeline"]: np.select(
            [level_all == LI["SMK"], np.isin(level_all, [LI["SMA"], LI["MA"]])], [0.4, 0.2], 0.0
        ),
        CI["teaching_practicum"]: np.full(n, 0.3),
        CI["research_site"]: np.full(n, 0.3),
    }
    engagement = np.concatenate([[0.85], rng.beta(3.0, 2.0, m)])
    engagement = np.where(small_all, engagement * 0.9, engagement)
    join = np.where(rng.random(n) < 0.7, 0.0, rng.uniform(0, 0.85, n) * PERIOD_DAYS)
    join[0] = 0.0
    side = _Side(
        lat=frame["latitude"].to_numpy(dtype=np.float64),
        lon=frame["longitude"].to_numpy(dtype=np.float64),
        need=_masks(all_need),
        offer=_masks(all_off),
        lang=np.concatenate([[1 | LANG_BITS["jv"]], lang]).astype(np.int64),
        latent=engagement,
        join=join,
        level=level_all,
        n_need=n_need,
        implicit=implicit,
    )
    return frame, side


def _school_ids(rng: np.random.Generator, madrasah: BoolArray, national: bool) -> ObjArray:
    """Unique 8-digit NPSN-like ids; madrasah ids start with 6 as in EMIS."""
    out = np.empty(len(madrasah), dtype=object)
    ranges = ((10_000_000, 60_000_000), (60_000_000, 70_000_000))
    if not national:
        ranges = ((20_500_000, 20_600_000), (60_700_000, 60_800_000))
    for flag, (lo, hi) in zip((False, True), ranges, strict=True):
        idx = np.flatnonzero(madrasah == flag)
        draw = rng.choice(hi - lo, size=len(idx) + 1, replace=False) + lo
        draw = draw[draw != int(PGRI6_ID)][: len(idx)]
        out[idx] = draw.astype(str)
    return out


def _school_names(rng: np.random.Generator, f: pd.DataFrame) -> ObjArray:
    """Realistic names ("SD Negeri 3 Tambaksari", "SMK PGRI 2 Sidoarjo", "MI Al-Hidayah")."""
    n = len(f)
    level = f["level"].to_numpy(dtype=object)
    neg = (f["ownership"] == "negeri").to_numpy()
    kota = f["kota"].to_numpy(dtype=bool)
    district = f["district"].to_numpy(dtype=object)
    short = f["short"].to_numpy(dtype=object)
    mad = np.isin(level, ["MI", "MTs", "MA"])
    fnd = rng.integers(len(_FOUNDATIONS), size=n)
    isl = rng.integers(len(_ISLAMIC_NAMES), size=n)
    swasta_word = rng.random(n) < 0.25
    # place the school is named after: city-wide numbering for SMP/SMA/SMK in a kota,
    # kecamatan numbering otherwise
    citywide = kota & np.isin(level, ["SMP", "SMA", "SMK"]) | np.isin(level, ["SLB"])
    place = np.where(citywide | (neg & mad), short, district)
    base = np.empty(n, dtype=object)
    numbered = np.zeros(n, dtype=bool)
    neg_prefix = {"MI": "MIN", "MTs": "MTsN", "MA": "MAN", "SLB": "SLB Negeri"}
    for i in range(n):
        lv = level[i]
        if neg[i]:
            base[i] = neg_prefix.get(lv, f"{lv} Negeri")
            numbered[i] = True
        elif mad[i]:
            base[i] = f"{lv} {_ISLAMIC_NAMES[isl[i]]}"
        else:
            fname, num = _FOUNDATIONS[fnd[i]]
            if lv == "SLB" or (lv in ("SD", "SMP") and fname == "PGRI" and rng.random() < 0.5):
                fname = "Bina Bangsa" if lv == "SLB" else fname
            word = f"{lv} Swasta" if swasta_word[i] else lv
            base[i] = f"{word} {fname}"
            numbered[i] = num
    key = pd.Series(base).astype(str) + "|" + pd.Series(place).astype(str)
    nth = key.groupby(key).cumcount().to_numpy() + 1
    count = key.map(key.value_counts()).to_numpy()
    names = np.empty(n, dtype=object)
    for i in range(n):
        pl = place[i] or short[i]
        if neg[i] and level[i] in ("SD",) or numbered[i] and (count[i] > 1 or neg[i]):
            names[i] = f"{base[i]} {nth[i]} {pl}"
        elif count[i] > 1:
            names[i] = f"{base[i]} {pl} {nth[i]}" if nth[i] > 1 else f"{base[i]} {pl}"
        else:
            names[i] = f"{base[i]} {pl}"
    clash = np.flatnonzero(names == _PGRI6["name"])
    if len(clash):
        names[clash] = f"SMP PGRI {int(count[clash[0]]) + 1} Surabaya"
    return names


def _noun(code: str, en: bool) -> str:
    """Noun phrase naming ``code`` in English or Indonesian."""
    return PHRASES[code][3] if en else PHRASES[code][2]


def _sentences_join(parts: Sequence[str]) -> str:
    return " ".join(p for p in parts if p)


def _np_list(items: Sequence[str], lang: str) -> str:
    if len(items) == 1:
        return items[0]
    conj = " dan " if lang == "id" else " and "
    return ", ".join(items[:-1]) + conj + items[-1]


def _school_descriptions(
    rng: np.random.Generator,
    f: pd.DataFrame,
    tags: BoolArray,
    hidden: BoolArray,
    offer: BoolArray,
    remote: BoolArray,
    has_desc: BoolArray,
) -> ObjArray:
    """Free text from templates: Indonesian (most), English or mixed."""
    n = len(f)
    mode = _pick(rng, n, [0.74, 0.09, 0.17])  # id, en, mixed
    # needs mentioned: up to two tagged needs plus every hidden one
    mention_tag = tags & (rng.random(tags.shape) < 0.55)
    mention = mention_tag | hidden
    r = rng.random((n, 12))
    variant = rng.integers(0, 2, size=(n, N_CODES))
    names = f["name"].to_numpy(dtype=object)
    level = f["level"].to_numpy(dtype=object)
    own = f["ownership"].to_numpy(dtype=object)
    district = f["district"].to_numpy(dtype=object)
    regency = f["regency"].to_numpy(dtype=object)
    students = f["students"].to_numpy(dtype=np.float64)
    teachers = f["teachers"].to_numpy(dtype=np.float64)
    m_rows, m_cols = np.nonzero(mention)
    o_rows, o_cols = np.nonzero(offer)
    m_start = np.searchsorted(m_rows, np.arange(n + 1))
    o_start = np.searchsorted(o_rows, np.arange(n + 1))
    out = np.empty(n, dtype=object)
    for i in range(n):
        if not has_desc[i]:
            out[i] = ""
            continue
        md = mode[i]
        ri = r[i]
        fields = {
            "name": names[i],
            "level_id": LEVEL_LONG_ID[level[i]],
            "level_en": LEVEL_LONG_EN[level[i]],
            "own_id": own[i],
            "own_en": "public" if own[i] == "negeri" else "private",
            "district": district[i],
            "regency": regency[i],
            "students": int(students[i]),
            "teachers": int(teachers[i]),
        }
        intro_en = md == 1 or (md == 2 and ri[0] < 0.3)
        pool: tuple[str, ...]
        if intro_en:
            pool = _INTRO_REMOTE_EN if remote[i] else _INTRO_EN
        else:
            pool = _INTRO_REMOTE_ID if remote[i] else _INTRO_ID
        parts = [pool[int(ri[1] * len(pool))].format(**fields)]
        codes = m_cols[m_start[i] : m_start[i + 1]]
        for k, j in enumerate(codes.tolist()):
            en = md == 1 or (md == 2 and r[i, (k + 2) % 12] < 0.5)
            ph = PHRASES[CODES[j]][1 if en else 0]
            parts.append(ph[variant[i, j] % len(ph)])
        offs = [CODES[j] for j in o_cols[o_start[i] : o_start[i + 1]].tolist()]
        if offs and ri[6] < 0.7:
            en = md == 1 or (md == 2 and ri[7] < 0.5)
            items = [_noun(c, en) for c in offs]
            lead = "We can offer " if en else "Kami dapat menyediakan "
            parts.append(lead + _np_list(items, "en" if en else "id") + ".")
        close = _CLOSE_EN if (md == 1 or (md == 2 and ri[8] < 0.5)) else _CLOSE_ID
        parts.append(close[int(ri[9] * len(close))])
        out[i] = _sentences_join(parts)
    return out


# --------------------------------------------------------------------------------------
# Partners
# --------------------------------------------------------------------------------------


def _partner_places(
    rng: np.random.Generator, ptype: ObjArray, districts: pd.DataFrame, national: bool
) -> pd.DataFrame:
    """Province, regency and centre for each partner."""
    n = len(ptype)
    if not national:
        places = pd.DataFrame(
            [
                ("Jawa Timur", "Kota Surabaya", -7.2575, 112.7521, 0.035, 0.36),
                ("Jawa Timur", "Kabupaten Sidoarjo", -7.4478, 112.7183, 0.05, 0.14),
                ("Jawa Timur", "Kota Malang", -7.9797, 112.6304, 0.025, 0.12),
                ("Jawa Timur", "Kabupaten Malang", -8.1000, 112.6200, 0.10, 0.13),
                ("Jawa Timur", "Kabupaten Sumenep", -7.0167, 113.8667, 0.06, 0.09),
                ("Jawa Timur", "Kabupaten Gresik", -7.1566, 112.6555, 0.04, 0.06),
                ("DKI Jakarta", "Jakarta Selatan", -6.2615, 106.8106, 0.03, 0.10),
            ],
            columns=["province", "regency", "lat", "lon", "sigma", "weight"],
        )
        w = np.tile(places["weight"].to_numpy(dtype=np.float64), (n, 1))
        uni = ptype == "university"
        w[uni, 2] *= 3.5  # Kota Malang is a university city
        local = np.isin(ptype, ["community", "school", "government"])
        w[local, 6] = 0.0
        w[np.isin(ptype, ["company", "foundation", "media"]), 6] *= 1.5
        w[ptype == "company", 5] *= 2.0  # Gresik industry
        idx = _pick_rows(rng, w)
        return places.iloc[idx].reset_index(drop=True)
    reg = (
        districts.groupby(["province", "regency"], sort=False)
        .agg(lat=("lat", "mean"), lon=("lon", "mean"), weight=("weight", "sum"),
             kota=("kota", "first"))
        .reset_index()
    )  # fmt: skip
    w = reg["weight"].to_numpy(dtype=np.float64) * np.where(reg["kota"], 4.0, 1.0)
    idx = _pick(rng, n, w)
    out = reg.iloc[idx].reset_index(drop=True)
    out["sigma"] = np.where(out["kota"], 0.03, 0.06)
    return out[["province", "regency", "lat", "lon", "sigma"]]


_EXTRA_KECAMATAN = {
    "Kota Malang": ("Klojen", "Blimbing", "Kedungkandang", "Sukun", "Lowokwaru"),
    "Kabupaten Gresik": ("Gresik", "Kebomas", "Manyar", "Driyorejo", "Menganti", "Cerme"),
    "Jakarta Selatan": ("Kebayoran Baru", "Tebet", "Setiabudi", "Pasar Minggu", "Cilandak"),
}


def _partner_districts(
    rng: np.random.Generator, places: pd.DataFrame, districts: pd.DataFrame
) -> ObjArray:
    """A kecamatan of each partner's regency (used in local names)."""
    by_reg: dict[str, tuple[str, ...]] = dict(_EXTRA_KECAMATAN)
    for reg, grp in districts.groupby("regency", sort=False)["district"]:
        by_reg[str(reg)] = tuple(grp.astype(str))
    u = rng.random(len(places))
    out = np.empty(len(places), dtype=object)
    for i, reg in enumerate(places["regency"].astype(str).tolist()):
        opts = by_reg.get(reg) or (reg.replace("Kota ", "").replace("Kabupaten ", ""),)
        out[i] = opts[int(u[i] * len(opts))]
    return out


def _partner_names(
    rng: np.random.Generator, prof: IntArray, places: pd.DataFrame, kec: ObjArray
) -> ObjArray:
    """Realistic Indonesian names by type and sector, unique.

    Each partner gets a name and an alternative (more local, or numbered differently)
    used when the first is already taken.
    """
    n = len(prof)
    r = rng.integers(0, 1_000_000, size=(n, 6))
    regency = places["regency"].to_numpy(dtype=object)
    first = np.empty(n, dtype=object)
    second = np.empty(n, dtype=object)
    for i in range(n):
        p = _PROFILES[prof[i]]
        ri = r[i]
        reg = str(regency[i])
        city = reg.replace("Kota ", "").replace("Kabupaten ", "")
        dis = str(kec[i])
        a = _WORD_A[ri[0] % len(_WORD_A)]
        b = _WORD_B[ri[1] % len(_WORD_B)]
        alt = ""
        if p.ptype == "company":
            words = _SECTOR_WORD[p.sector]
            w = words[ri[2] % len(words)]
            if p.sector == "banking":
                name = f"Bank {a} {b}" if ri[3] % 2 else f"BPR {a} {b} {city}"
            elif p.sector == "health" and ri[3] % 3 == 0:
                name = f"RS {a} {w} {city}"
            elif p.sector == "hospitality" and ri[3] % 2:
                name = f"Hotel {a} {b} {city}"
            elif p.sector == "education" and ri[3] % 2:
                name = f"{a}{w}.id"
                alt = f"{a}{w}{b}.id"
            elif ri[3] % 7 == 0:
                name = f"CV {a} {w} {b}"
            else:
                name = f"PT {a} {w} {b}" + (" Tbk" if ri[4] % 11 == 0 else "")
            alt = alt or f"{name} {dis}"
        elif p.ptype == "university":
            pat: tuple[str, ...]
            u = _UNI_NAMES[ri[0] % len(_UNI_NAMES)]
            isl = _ISLAMIC_NAMES[ri[1] % len(_ISLAMIC_NAMES)]
            pat = {
                "teacher education": ("STKIP {u}", "Universitas Pendidikan {u}", "IKIP {u} {c}"),
                "polytechnic": ("Politeknik {u}", "Politeknik Negeri {c}", "Akademi Komunitas {u}"),
                "higher education": ("Universitas {u}", "Universitas {u} {c}",
                                     "Institut Teknologi {u}"),
                "Islamic higher education": ("Universitas Islam {i}", "Institut Agama Islam {i}",
                                             "STAI {i} {c}"),
            }[p.sector]  # fmt: skip
            tpl = pat[ri[2] % len(pat)]
            name = tpl.format(u=u, i=isl, c=city)
            alt = name if city in name else f"{name} {city}"
            if alt == name:
                alt = tpl.format(u=_UNI_NAMES[ri[5] % len(_UNI_NAMES)], i=isl, c=city)
        elif p.ptype == "ngo":
            pat = _NGO_PATTERNS[p.sector]
            tpl = pat[ri[2] % len(pat)]
            name = tpl.format(x=_NGO_X[ri[0] % len(_NGO_X)] if ri[1] % 3 else city)
            alt = tpl.format(x=f"{_NGO_X[ri[0] % len(_NGO_X)]} {city}")
        elif p.ptype == "community":
            acts = _COMMUNITY_ACT[p.sector]
            act = acts[ri[0] % len(acts)]
            if act == "Karang Taruna":
                name = f"Karang Taruna {dis}"
                alt = f"Karang Taruna Kelurahan {_place_names(rng, 1, set())[0]}"
            else:
                name = f"Komunitas {act} {city}"
                alt = f"Komunitas {act} {dis}"
        elif p.ptype == "government":
            agency = _GOV_AGENCY[p.sector]
            if p.sector == "health" and ri[0] % 2:
                name = f"Puskesmas {dis}"
                alt = f"Puskesmas {_place_names(rng, 1, set())[0]}"
            else:
                name = f"{agency} {reg}"
                unit = agency if agency.startswith("UPT") else f"UPT {agency}"
                alt = f"{unit} Wilayah {dis}"
        elif p.ptype == "foundation":
            pat = _FOUNDATION_PATTERNS[p.sector]
            tpl = pat[ri[2] % len(pat)]
            name = tpl.format(x=_NGO_X[ri[0] % len(_NGO_X)], a=a, b=b)
            alt = tpl.format(x=f"{_NGO_X[ri[0] % len(_NGO_X)]} {city}", a=a, b=f"{b} {city}")
        elif p.ptype == "school":
            k = 1 + ri[0] % 12
            if p.sector == "model school":
                lv = ("SD Negeri", "SMP Negeri", "SMA Negeri")[ri[1] % 3]
                name = f"{lv} {k} {city} (Sekolah Penggerak)"
                alt = f"{lv} {k + 12} {city} (Sekolah Penggerak)"
            elif p.sector == "vocational centre of excellence":
                name = f"SMK Negeri {k} {city} (Pusat Keunggulan)"
                alt = f"SMK Negeri {k + 12} {city} (Pusat Keunggulan)"
            else:
                name = f"Sekolah {_UNI_NAMES[ri[1] % len(_UNI_NAMES)]} Internasional {city}"
                alt = f"Sekolah {_UNI_NAMES[ri[1] % len(_UNI_NAMES)]} Internasional {dis}"
        else:
            pat = _MEDIA_PATTERNS[p.sector]
            freq = f"{88 + ri[3] % 20}.{ri[4] % 10}"
            name = pat[ri[2] % len(pat)].format(a=a, b=b, city=city, freq=freq)
            alt = pat[ri[2] % len(pat)].format(a=a, b=b, city=f"{city} {dis}", freq=freq)
        first[i] = name
        second[i] = alt
    return _unique_names(first, second)


def _unique_names(first: ObjArray, second: ObjArray) -> ObjArray:
    """Keep the first name where it is free, else the alternative, else number it."""
    out = first.copy()
    nth = pd.Series(out).groupby(pd.Series(out)).cumcount().to_numpy()
    out[nth > 0] = second[nth > 0]
    for _ in range(10):
        nth = pd.Series(out).groupby(pd.Series(out)).cumcount().to_numpy()
        dup = np.flatnonzero(nth > 0)
        if not len(dup):
            break
        for i in dup.tolist():
            name = str(out[i])
            head, sep, tail = name.rpartition(" (")
            if sep:
                out[i] = f"{head} {nth[i] + 1} ({tail}"
            else:
                out[i] = f"{name} {nth[i] + 1}"
    return out


def _make_partners(
    rng: np.random.Generator, districts: pd.DataFrame, n: int, national: bool
) -> tuple[pd.DataFrame, _Side]:
    """Draw ``n`` partners (the first is Kuanta)."""
    m = n - 1
    types = np.array(list(_TYPE_SHARE), dtype=object)
    t = _pick(rng, m, list(_TYPE_SHARE.values()))
    if m >= len(types):
        missing = [i for i in range(len(types)) if not np.any(t == i)]
        if missing:
            t[rng.choice(m, size=len(missing), replace=False)] = missing
    ptype = types[t]
    # profile within type
    prof = np.empty(m, dtype=np.int64)
    for ty in types:
        idx = np.flatnonzero(ptype == ty)
        cand = [k for k, p in enumerate(_PROFILES) if p.ptype == ty]
        prof[idx] = np.asarray(cand)[_pick(rng, len(idx), [_PROFILES[k].weight for k in cand])]
    places = _partner_places(rng, ptype, districts, national)

    offer_p = np.zeros((len(_PROFILES), N_CODES))
    need_p = np.zeros((len(_PROFILES), N_CODES))
    for k, p in enumerate(_PROFILES):
        for c, v in p.offers.items():
            offer_p[k, CI[c]] = v
        for c, v in p.needs.items():
            need_p[k, CI[c]] = v
    offer = rng.random((m, N_CODES)) < offer_p[prof]
    empty = ~offer.any(axis=1)
    offer[np.flatnonzero(empty), offer_p[prof[empty]].argmax(axis=1)] = True
    need = rng.random((m, N_CODES)) < need_p[prof]
    need &= rng.random(m)[:, None] > 0.06  # a few partners state no needs

    # levels served
    lv_str = np.empty(m, dtype=object)
    for k, p in enumerate(_PROFILES):
        idx = np.flatnonzero(prof == k)
        opts = [o for o, _ in p.levels]
        lv_str[idx] = np.asarray(opts, dtype=object)[_pick(rng, len(idx), [w for _, w in p.levels])]
    lv_mask = np.array(
        [sum(1 << LI[x] for x in s.split(";")) if s else 0 for s in lv_str], dtype=np.int64
    )

    online_p = np.array([_TYPE_PARAMS[str(x)][0] for x in ptype])
    online_p = np.where(places["province"].to_numpy() == "DKI Jakarta", 0.85, online_p)
    online = rng.random(m) < online_p
    no_coords = online & (rng.random(m) < 0.35)
    lat = places["lat"].to_numpy(dtype=np.float64) + rng.normal(0, places["sigma"].to_numpy())
    lon = places["lon"].to_numpy(dtype=np.float64) + rng.normal(0, places["sigma"].to_numpy())
    lat = np.clip(lat, *LAT_RANGE)
    lon = np.clip(lon, *LON_RANGE)
    lo = np.array([_TYPE_PARAMS[str(x)][1][0] for x in ptype])
    hi = np.array([_TYPE_PARAMS[str(x)][1][1] for x in ptype])
    radius = np.round(rng.uniform(lo, hi))
    radius = np.where(online, np.round(radius * 1.5), radius).clip(5, 150)
    clo = np.array([_TYPE_PARAMS[str(x)][2][0] for x in ptype])
    chi = np.array([_TYPE_PARAMS[str(x)][2][1] for x in ptype])
    capacity = rng.integers(clo, chi + 1).clip(1, 20)

    lang_mode = _pick(rng, m, [0.6, 0.3, 0.05, 0.03, 0.02])  # id, id;en, id;jv, en, id;mad
    intl = np.isin(prof, [k for k, p in enumerate(_PROFILES) if p.sector == "international school"])
    lang_mode = np.where(intl, 1, lang_mode)
    lang_mode = np.where((ptype == "government") & (lang_mode == 3), 0, lang_mode)
    lang_str = np.array(["id", "id;en", "id;jv", "en", "id;mad"], dtype=object)[lang_mode]
    lang_bits = np.array([1, 3, 5, 2, 9], dtype=np.int64)[lang_mode]

    frame = pd.DataFrame(
        {
            "partner_id": [f"P-{i:05d}" for i in range(1, m + 1)],
            "type": ptype,
            "sector": np.array([_PROFILES[k].sector for k in prof], dtype=object),
            "province": places["province"].to_numpy(dtype=object),
            "regency": places["regency"].to_numpy(dtype=object),
        }
    )
    frame["name"] = _partner_names(rng, prof, places, _partner_districts(rng, places, districts))
    frame["latitude"] = np.where(no_coords, np.nan, lat)
    frame["longitude"] = np.where(no_coords, np.nan, lon)
    frame["service_radius_km"] = radius
    frame["online"] = online
    frame["offers"] = _join_masks(offer, CODES)
    frame["needs"] = _join_masks(need, CODES)
    frame["levels"] = lv_str
    frame["languages"] = lang_str
    frame["capacity"] = capacity.astype(np.float64)
    frame["description"] = _partner_descriptions(rng, frame, prof, offer, need, lang_mode)
    no_place = no_coords & (rng.random(m) < 0.5)
    frame.loc[no_place, ["province", "regency"]] = ""

    fixed = pd.DataFrame([{k: _KUANTA[k] for k in PARTNER_COLUMNS}])
    for col in ("offers", "needs", "levels", "languages"):
        fixed[col] = ";".join(_KUANTA[col])
    frame = pd.concat([fixed, frame[list(PARTNER_COLUMNS)]], ignore_index=True)

    k_off = np.zeros((1, N_CODES), dtype=bool)
    k_need = np.zeros((1, N_CODES), dtype=bool)
    for c in _KUANTA["offers"]:
        k_off[0, CI[c]] = True
    for c in _KUANTA["needs"]:
        k_need[0, CI[c]] = True
    all_need = np.vstack([k_need, need])
    # reliability: most partners deliver, about 10% rarely follow through
    poor = rng.random(m) < 0.1
    reliability = np.where(poor, rng.beta(1.5, 6.0, m), rng.beta(6.0, 2.0, m))
    join = np.where(rng.random(m) < 0.55, 0.0, rng.uniform(0, 0.9, m) * PERIOD_DAYS)
    side = _Side(
        lat=frame["latitude"].to_numpy(dtype=np.float64),
        lon=frame["longitude"].to_numpy(dtype=np.float64),
        need=_masks(all_need),
        offer=_masks(np.vstack([k_off, offer])),
        lang=np.concatenate([[3], lang_bits]).astype(np.int64),
        latent=np.concatenate([[0.9], reliability]),
        join=np.concatenate([[0.0], join]),
        level=np.concatenate([[0], lv_mask]).astype(np.int64),
        n_need=all_need.sum(axis=1).astype(np.int64),
        radius=frame["service_radius_km"].to_numpy(dtype=np.float64),
        online=frame["online"].to_numpy(dtype=bool),
        capacity=frame["capacity"].to_numpy(dtype=np.float64),
        activity=np.concatenate([[2.0], rng.lognormal(0.0, 1.0, m)]),
    )
    return frame, side


def _partner_descriptions(
    rng: np.random.Generator,
    f: pd.DataFrame,
    prof: IntArray,
    offer: BoolArray,
    need: BoolArray,
    lang_mode: IntArray,
) -> ObjArray:
    """Free text by type: Indonesian, English or mixed."""
    n = len(f)
    mode = _pick(rng, n, [0.55, 0.2, 0.25])
    mode = np.where(lang_mode == 3, 1, mode)
    r = rng.random((n, 8))
    names = f["name"].to_numpy(dtype=object)
    ptype = f["type"].to_numpy(dtype=object)
    regency = f["regency"].to_numpy(dtype=object)
    online = f["online"].to_numpy(dtype=bool)
    levels = f["levels"].to_numpy(dtype=object)
    o_rows, o_cols = np.nonzero(offer)
    n_rows, n_cols = np.nonzero(need)
    o_start = np.searchsorted(o_rows, np.arange(n + 1))
    n_start = np.searchsorted(n_rows, np.arange(n + 1))
    out = np.empty(n, dtype=object)
    for i in range(n):
        if r[i, 0] < 0.03:
            out[i] = ""
            continue
        md = mode[i]
        p = _PROFILES[prof[i]]

        def en(k: int, md: int = md, ri: FloatArray = r[i]) -> bool:
            return bool(md == 1 or (md == 2 and ri[k] < 0.5))

        offs = [CODES[j] for j in o_cols[o_start[i] : o_start[i + 1]].tolist()]
        nds = [CODES[j] for j in n_cols[n_start[i] : n_start[i + 1]].tolist()]
        parts: list[str] = []
        where = regency[i] or "Indonesia"
        if en(1):
            parts.append(f"{names[i]} is a {_TYPE_EN[ptype[i]]} in {p.sector}, based in {where}.")
        else:
            parts.append(
                f"{names[i]} adalah {_TYPE_ID[ptype[i]]} di bidang {p.sector_id} di {where}."
            )
        shown = offs if r[i, 6] < 0.8 else offs[: max(1, len(offs) - 1)]
        if en(2):
            parts.append("We offer " + _np_list([_noun(c, True) for c in shown], "en") + ".")
        else:
            parts.append(
                "Kami menyediakan " + _np_list([_noun(c, False) for c in shown], "id") + "."
            )
        if levels[i]:
            lv = levels[i].replace(";", ", ")
            parts.append(f"We focus on {lv} schools." if en(3) else f"Fokus kami jenjang {lv}.")
        if online[i]:
            parts.append(
                "Our programmes also run online." if en(4) else "Program kami juga bisa daring."
            )
        if nds:
            if en(5):
                parts.append(
                    "In return we look for " + _np_list([_noun(c, True) for c in nds], "en") + "."
                )
            else:
                parts.append(
                    "Kami mencari sekolah mitra untuk "
                    + _np_list([_noun(c, False) for c in nds], "id")
                    + "."
                )
        out[i] = _sentences_join(parts)
    return out


# --------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------

_GRID = 0.25  # degrees per spatial cell used to find schools near a partner


def _candidates(
    rng: np.random.Generator, s: _Side, p: _Side, n_cand: IntArray
) -> tuple[IntArray, IntArray]:
    """Candidate (school, partner) pairs, mostly among reachable pairs.

    Local partners draw schools from grid cells within about 1.3 times their radius and
    keep those within the radius (plus a few beyond, and a few at a level they do not
    serve); online partners draw half near home and half anywhere.
    """
    assert p.radius is not None and p.online is not None
    ix = np.floor((s.lat - LAT_RANGE[0]) / _GRID).astype(np.int64)
    iy = np.floor((s.lon - LON_RANGE[0]) / _GRID).astype(np.int64)
    key = ix * 1000 + iy
    order = np.argsort(key, kind="stable")
    ukeys, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    level_bit = np.left_shift(1, s.level)
    n_s = len(s.lat)
    out_s: list[IntArray] = []
    out_p: list[IntArray] = []
    for j in np.flatnonzero(n_cand > 0).tolist():
        k = int(n_cand[j])
        m = 3 * k + 4
        has_xy = not np.isnan(p.lat[j])
        local = np.empty(0, dtype=np.int64)
        if has_xy:
            r = float(p.radius[j])
            span = int(np.ceil(r * 1.3 / 111.0 / _GRID))
            pix = int(np.floor((p.lat[j] - LAT_RANGE[0]) / _GRID))
            piy = int(np.floor((p.lon[j] - LON_RANGE[0]) / _GRID))
            dx = np.arange(-span, span + 1)
            nk = ((pix + dx)[:, None] * 1000 + (piy + dx)[None, :]).ravel()
            pos = np.clip(np.searchsorted(ukeys, nk), 0, len(ukeys) - 1)
            cells = pos[ukeys[pos] == nk]
            if len(cells):
                c = counts[cells].astype(np.float64)
                cell = cells[rng.choice(len(cells), size=m, p=c / c.sum())]
                off = (rng.random(m) * counts[cell]).astype(np.int64)
                local = order[starts[cell] + off]
                d = _haversine(
                    s.lat[local], s.lon[local], np.full(m, p.lat[j]), np.full(m, p.lon[j])
                )
                near = d <= r if not p.online[j] else d <= 3 * r
                local = local[near | (rng.random(m) < 0.07)]
        if p.online[j] or not has_xy:
            far = rng.integers(0, n_s, size=m)
            draw = np.concatenate([local[: m // 2], far]) if len(local) else far
        else:
            draw = local
        if not len(draw):
            continue
        lv = int(p.level[j])
        if lv:
            ok = ((level_bit[draw] & lv) != 0) | (rng.random(len(draw)) < 0.03)
            draw = draw[ok]
        _, first = np.unique(draw, return_index=True)
        draw = draw[np.sort(first)][:k]
        out_s.append(draw)
        out_p.append(np.full(len(draw), j, dtype=np.int64))
    if not out_s:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(out_s).astype(np.int64), np.concatenate(out_p)


def _fit(s: _Side, p: _Side, si: IntArray, pj: IntArray) -> tuple[FloatArray, FloatArray]:
    """Two-way fit of pairs in [0, 1].

    Forward: share of the school's true needs (up to three) the partner offers. Backward:
    mean satisfaction of the partner's needs by the school's listed offers, or implicitly
    by the school's profile (a needy school gives CSR impact, a large one visibility).
    """
    overlap = _popcount(s.need[si] & p.offer[pj]).astype(np.float64)
    fs = np.clip(overlap / np.maximum(np.minimum(s.n_need[si], 3), 1), 0.0, 1.0)
    total = np.zeros(len(si))
    implicit = s.implicit or {}
    pneed = p.need[pj]
    soff = s.offer[si]
    for c in range(N_CODES):
        bit = np.uint64(c)
        wants = ((pneed >> bit) & np.uint64(1)).astype(bool)
        if not wants.any():
            continue
        sat = ((soff >> bit) & np.uint64(1)).astype(np.float64)
        if c in implicit:
            sat = np.maximum(sat, implicit[c][si])
        total += np.where(wants, sat, 0.0)
        # a partner that needs what the school also needs (both-way codes) can share it
        if CODES[c] not in TO_PARTNER:
            total += np.where(wants & (((s.need[si] >> bit) & np.uint64(1)) > 0), 0.3, 0.0)
    nn = p.n_need[pj]
    fp = np.where(nn > 0, np.clip(total / np.maximum(nn, 1), 0.0, 1.0), 0.6)
    return fs, fp


def _growth_days(rng: np.random.Generator, lo: FloatArray) -> FloatArray:
    """Days in [lo, PERIOD) with a density rising over time (the platform grows)."""
    c = 2.0
    u = rng.random(len(lo))
    x = -c + np.sqrt(c * c + 2 * (c + 0.5) * u)
    return lo + (PERIOD_DAYS - lo) * x


def _simulate_outcomes(rng: np.random.Generator, s: _Side, p: _Side, target: float) -> pd.DataFrame:
    """Partnership histories: proposed, accepted or declined, active, then an end."""
    assert p.activity is not None and p.capacity is not None and p.radius is not None
    assert p.online is not None
    active_share = 1.0 - p.join / PERIOD_DAYS
    base = p.activity * np.sqrt(p.capacity) * active_share
    n_cand = rng.poisson(target * base / base.mean()).astype(np.int64)
    si, pj = _candidates(rng, s, p, n_cand)
    n = len(si)
    d = _haversine(s.lat[si], s.lon[si], p.lat[pj], p.lon[pj])
    online = p.online[pj]
    radius = p.radius[pj]
    ratio = np.where(online | np.isnan(d), 0.3, np.nan_to_num(d, nan=0.0) / radius)
    reach = online | (ratio <= 1.0)
    lv = p.level[pj]
    lvl_ok = (lv == 0) | ((np.left_shift(1, s.level[si]) & lv) != 0)
    lang = (s.lang[si] & p.lang[pj]) != 0
    fs, fp = _fit(s, p, si, pj)
    rel = p.latent[pj]
    eng = s.latent[si]

    logit = -3.4 + 4.4 * fs + 1.8 * fp - 1.1 * np.minimum(ratio, 2.0) - 1.5 * ~lvl_ok
    proposed = rng.random(n) < _sigmoid(logit + rng.normal(0, 0.5, n))
    idx = np.flatnonzero(proposed)
    lo = np.maximum(s.join[si[idx]], p.join[pj[idx]])
    t0 = _growth_days(rng, lo)

    frames = []
    runs = [(idx, t0)]
    for rnd in range(2):
        idx, t0 = runs[rnd]
        ev, renew_idx, renew_t = _run_stages(
            rng, idx, t0, si, pj, fs, fp, rel, eng, lang, reach, lvl_ok, ratio
        )
        frames.append(ev)
        if rnd == 0:
            runs.append((renew_idx, renew_t))
    events = pd.concat(frames, ignore_index=True)
    events = events[events["day"] < PERIOD_DAYS + 1]
    events = events.sort_values(["day", "s", "p", "stage"], kind="stable").reset_index(drop=True)
    return events


def _run_stages(
    rng: np.random.Generator,
    idx: IntArray,
    t0: FloatArray,
    si: IntArray,
    pj: IntArray,
    fs: FloatArray,
    fp: FloatArray,
    rel: FloatArray,
    eng: FloatArray,
    lang: BoolArray,
    reach: BoolArray,
    lvl_ok: BoolArray,
    ratio: FloatArray,
) -> tuple[pd.DataFrame, IntArray, FloatArray]:
    """Simulate one partnership attempt per pair index, starting on day ``t0``."""
    k = len(idx)
    f_s, f_p, r_, e_, l_ = fs[idx], fp[idx], rel[idx], eng[idx], lang[idx].astype(np.float64)
    # the partner (backward fit) and the school (forward fit) must both see a gain
    acc_logit = -1.9 + 3.2 * f_p + 1.6 * f_s + 0.9 * l_ - 1.5 * ~reach[idx] - 1.5 * ~lvl_ok[idx]
    accepted = rng.random(k) < _sigmoid(acc_logit + rng.normal(0, 0.5, k))
    follow = accepted & (rng.random(k) < 0.4 + 0.58 * r_)
    q_s = 0.45 * f_s + 0.35 * r_ + 0.1 * l_ + 0.1 * e_ + rng.normal(0, 0.08, k)
    q_p = 0.45 * f_p + 0.35 * e_ + 0.1 * r_ + 0.1 * l_ + rng.normal(0, 0.08, k)
    far = np.maximum(ratio[idx] - 1.0, 0.0)
    q = 0.5 * (q_s + q_p) - 0.1 * far
    completed = follow & (rng.random(k) < _sigmoid(9.0 * (q - 0.45)))
    ended = follow & ~completed
    t1 = t0 + 1 + np.floor(rng.exponential(8.0, k))
    t2 = t1 + 1 + np.floor(rng.exponential(18.0, k))
    dur = rng.uniform(90, 330, k)
    t3 = t2 + np.where(completed, dur, np.maximum(dur * rng.uniform(0.12, 0.7, k), 10))
    sr_c = np.clip(np.round(1.0 + 4.6 * q_s + rng.normal(0, 0.45, k)), 1, 5)
    pr_c = np.clip(np.round(1.0 + 4.6 * q_p + rng.normal(0, 0.45, k)), 1, 5)
    sr_e = np.clip(np.round(0.6 + 3.2 * q_s + rng.normal(0, 0.5, k)), 1, 5)
    pr_e = np.clip(np.round(0.6 + 3.2 * q_p + rng.normal(0, 0.5, k)), 1, 5)
    sr = np.where(completed, sr_c, sr_e)
    pr = np.where(completed, pr_c, pr_e)
    sr[rng.random(k) < 0.04] = np.nan
    pr[rng.random(k) < 0.04] = np.nan
    nan = np.full(k, np.nan)
    # some proposals are never answered (more often with unreliable partners)
    answered = rng.random(k) >= 0.15 * (1.0 - r_)
    accepted &= answered
    follow &= answered
    completed &= answered
    ended &= answered
    parts = [
        (np.ones(k, bool), np.floor(t0), "proposed", 0, nan, nan),
        (accepted, t1, "accepted", 1, nan, nan),
        (answered & ~accepted, t1, "declined", 1, nan, nan),
        (follow, t2, "active", 2, nan, nan),
        (completed, np.floor(t3), "completed", 3, sr, pr),
        (ended, np.floor(t3), "ended_early", 3, sr, pr),
    ]
    frames = []
    for mask, day, status, stage, a, b in parts:
        frames.append(
            pd.DataFrame(
                {
                    "s": si[idx][mask],
                    "p": pj[idx][mask],
                    "status": status,
                    "stage": stage,
                    "day": day[mask],
                    "school_rating": a[mask],
                    "partner_rating": b[mask],
                }
            )
        )
    ok = completed & ~(sr < 4) & ~(pr < 4)
    renew = ok & (rng.random(k) < 0.3)
    renew_t = np.floor(t3[renew] + 15 + rng.exponential(45.0, int(renew.sum())))
    return pd.concat(frames, ignore_index=True), idx[renew], renew_t


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def _schools_out(f: pd.DataFrame) -> pd.DataFrame:
    out = f[list(SCHOOL_COLUMNS)].copy()
    out["latitude"] = _fmt(f["latitude"].to_numpy(dtype=np.float64), "%.5f")
    out["longitude"] = _fmt(f["longitude"].to_numpy(dtype=np.float64), "%.5f")
    for col in ("students", "teachers", "capacity"):
        out[col] = _int_str(f[col].to_numpy(dtype=np.float64))
    return out


def _partners_out(f: pd.DataFrame) -> pd.DataFrame:
    out = f[list(PARTNER_COLUMNS)].copy()
    out["latitude"] = _fmt(f["latitude"].to_numpy(dtype=np.float64), "%.5f")
    out["longitude"] = _fmt(f["longitude"].to_numpy(dtype=np.float64), "%.5f")
    out["service_radius_km"] = _fmt(f["service_radius_km"].to_numpy(dtype=np.float64), "%.0f")
    out["online"] = np.where(f["online"].to_numpy(dtype=bool), "true", "false")
    out["capacity"] = _int_str(f["capacity"].to_numpy(dtype=np.float64))
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
            "school_rating": _int_str(ev["school_rating"].to_numpy(dtype=np.float64)),
            "partner_rating": _int_str(ev["partner_rating"].to_numpy(dtype=np.float64)),
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
    districts = _district_table(rng, national)
    schools, s_side = _make_schools(rng, districts, n_schools, national)
    partners, p_side = _make_partners(rng, districts, n_partners, national)
    paths = {
        "schools": _write(_schools_out(schools), out_dir / "schools.csv"),
        "partners": _write(_partners_out(partners), out_dir / "partners.csv"),
    }
    if outcomes:
        ev = _simulate_outcomes(rng, s_side, p_side, target=90.0)
        table = _outcomes_out(
            ev,
            schools["school_id"].to_numpy(dtype=object),
            partners["partner_id"].to_numpy(dtype=object),
        )
        paths["outcomes"] = _write(table, out_dir / "outcomes.csv")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m matcher.sample --out DIR [--seed S] [--national]``."""
    ap = argparse.ArgumentParser(
        prog="python -m matcher.sample",
        description="Write synthetic schools, partners and outcomes.",
    )
    ap.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder")
    ap.add_argument("--schools", type=int, default=None, help="schools (1,200; national 400,000)")
    ap.add_argument("--partners", type=int, default=None, help="partners (260; national 50,000)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--national", action="store_true", help="38 provinces, national scale")
    ap.add_argument("--no-outcomes", action="store_true", help="skip the outcome history")
    args = ap.parse_args(argv)
    n_s = args.schools or (400_000 if args.national else 1_200)
    n_p = args.partners or (50_000 if args.national else 260)
    t = time.perf_counter()
    try:
        paths = generate(args.out, n_s, n_p, args.seed, args.national, not args.no_outcomes)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, path in paths.items():
        with path.open("rb") as fh:
            rows = sum(1 for _ in fh) - 1
        print(f"{name}: {rows} rows -> {path}")
    print(f"done in {time.perf_counter() - t:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
