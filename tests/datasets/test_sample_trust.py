"""The synthetic sample trust: packaged files, reproducibility, shape, validity, planted signals.

Expected values here come from the brief for the sample data (row-count ranges, the canonical
columns of the data contract, the planted disparities) and are checked with plain pandas written
independently of the generator, never by calling the library's measures.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import sys
import tomllib
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from equitymetrics import loaders
from equitymetrics.datasets import (
    SAMPLE_TRUST_TABLES,
    sample_trust_dir,
    sample_trust_files,
    write_sample_config,
)
from equitymetrics.exceptions import InvalidArgumentError

REPOSITORY = Path(__file__).resolve().parents[2]
GENERATOR = REPOSITORY / "sample_data" / "generate_sample_trust.py"
CATCHMENT = {"E06999901", "E06999902", "E06999903", "E06999904"}

# The canonical columns of every table (the data contract), in the order the files use.
CANONICAL_COLUMNS: dict[str, list[str]] = {
    "patients": ["person_id", "ethnic_category", "sex", "birth_date", "residence_area_code"],
    "inpatient_stays": ["stay_id", "person_id", "ward", "division", "start_date", "end_date"],
    "restrictive_interventions": [
        "intervention_id",
        "person_id",
        "ward",
        "start_date",
        "type_code",
        "reason_code",
    ],
    "mha_episodes": ["episode_id", "person_id", "start_date", "end_date", "legal_status_category"],
    "smi_register": [
        "person_id",
        "snapshot_date",
        "in_remission",
        "bmi_date",
        "blood_pressure_date",
        "lipids_date",
        "glucose_date",
        "smoking_date",
        "alcohol_date",
    ],
    "census_population": ["area_code", "ethnic_group", "sex", "age_band", "population"],
    "staff": [
        "staff_id",
        "ethnic_category",
        "band",
        "clinical",
        "division",
        "board_member",
        "executive",
        "snapshot_date",
    ],
    "recruitment": ["applicant_id", "ethnic_category", "shortlisted", "appointed", "date"],
    "disciplinary": ["case_id", "staff_id", "ethnic_category", "entered_date"],
    "training": ["staff_id", "ethnic_category", "accessed_non_mandatory", "year_end"],
    "staff_survey": ["year", "indicator", "group", "respondents", "positive"],
}

# Row counts the brief asks for (about 20,000 patients, 8 quarters of stays, about 8,000 staff
# in each of two snapshots, 4 areas x 19 groups x 2 sexes x 21 age bands of census, ...).
ROW_RANGES: dict[str, tuple[int, int]] = {
    "patients": (19_000, 21_000),
    "inpatient_stays": (3_000, 6_000),
    "restrictive_interventions": (3_000, 8_000),
    "mha_episodes": (3_000, 6_000),
    "smi_register": (15_000, 25_000),
    "census_population": (4 * 19 * 2 * 21, 4 * 19 * 2 * 21),
    "staff": (15_000, 17_000),
    "recruitment": (9_000, 13_000),
    "disciplinary": (80, 200),
    "training": (7_500, 8_500),
    "staff_survey": (2 * 4 * 2, 2 * 4 * 2),
}

# Keys that identify a row of each table.
KEYS: dict[str, list[str]] = {
    "patients": ["person_id"],
    "inpatient_stays": ["stay_id"],
    "restrictive_interventions": ["intervention_id", "type_code"],
    "mha_episodes": ["episode_id"],
    "smi_register": ["person_id", "snapshot_date"],
    "census_population": ["area_code", "ethnic_group", "sex", "age_band"],
    "staff": ["staff_id", "snapshot_date"],
    "recruitment": ["applicant_id"],
    "disciplinary": ["case_id"],
    "training": ["staff_id", "year_end"],
    "staff_survey": ["year", "indicator", "group"],
}

# Census age bands from which both the European Standard Population bands and the NHS England
# Mental Health Act bands (0-15, 16-17, 18-34, ...) can be built.
AGE_BANDS = [
    "0-4",
    "5-9",
    "10-14",
    "15",
    "16-17",
    "18-19",
    *[f"{low}-{low + 4}" for low in range(20, 90, 5)],
    "90+",
]

# NHS ethnic category labels (NHS Data Dictionary) -> broad group, for classifying recorded
# values by hand; single letters and local two-character codes use their first letter.
LABEL_GROUPS = {
    "White - ": "White",
    "Mixed - ": "Mixed",
    "Asian or Asian British - ": "Asian",
    "Black or Black British - ": "Black",
    "Other Ethnic Groups - ": "Other",
}
LETTER_GROUPS = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian"),
    **dict.fromkeys("MNP", "Black"),
    **dict.fromkeys("RS", "Other"),
}
NOT_STATED_OR_KNOWN = {"Z", "99", "9", "X", ""}


def broad_group(value: str) -> str:
    """Broad group of a recorded ethnic category, or "unknown" (written for the tests)."""
    for prefix, group in LABEL_GROUPS.items():
        if value.startswith(prefix):
            return group
    code = value.strip().upper()
    if code in NOT_STATED_OR_KNOWN:
        return "unknown"
    return LETTER_GROUPS[code[0]]


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO or DD/MM/YYYY text to timestamps (empty -> NaT)."""
    text = values.astype(str).str.strip()
    iso = pd.to_datetime(text.where(text.str.contains("-")), format="%Y-%m-%d")
    uk = pd.to_datetime(text.where(text.str.contains("/")), format="%d/%m/%Y")
    return iso.fillna(uk)


def load_generator() -> ModuleType:
    """Import sample_data/generate_sample_trust.py as a module."""
    spec = importlib.util.spec_from_file_location("sample_trust_generator", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """Every packaged table as text (empty cells as "")."""
    return {
        name: pd.read_csv(path, dtype=str, keep_default_na=False)
        for name, path in sample_trust_files().items()
    }


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's output, written afresh into a temporary folder."""
    folder = tmp_path_factory.mktemp("regenerated")
    generator = load_generator()
    main: Callable[[list[str]], int] = generator.main
    assert main(["--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def patients(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Patients with a hand-classified broad group."""
    frame = tables["patients"].copy()
    frame["group"] = frame["ethnic_category"].map(broad_group)
    return frame


# ----------------------------------------------------------------------------------------------
# Packaging and reproducibility
# ----------------------------------------------------------------------------------------------


def test_every_canonical_table_is_a_packaged_file() -> None:
    folder = importlib.resources.files("equitymetrics.datasets").joinpath("sample_trust")
    assert list(SAMPLE_TRUST_TABLES) == list(CANONICAL_COLUMNS)
    for name in CANONICAL_COLUMNS:
        assert folder.joinpath(f"{name}.csv").is_file(), name


def test_package_data_patterns_cover_the_files() -> None:
    # setuptools ships package data matching [tool.setuptools.package-data] patterns, which are
    # relative to the equitymetrics package folder.
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["equitymetrics"]
    for name in CANONICAL_COLUMNS:
        relative = f"datasets/sample_trust/{name}.csv"
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative


def test_sample_trust_dir_is_the_package_folder() -> None:
    import equitymetrics.datasets

    folder = sample_trust_dir()
    assert folder == Path(equitymetrics.datasets.__file__).parent / "sample_trust"
    assert folder.is_dir()


def test_sample_trust_files_maps_each_table_to_its_csv() -> None:
    files = sample_trust_files()
    assert list(files) == list(CANONICAL_COLUMNS)
    for name, path in files.items():
        assert path == sample_trust_dir() / f"{name}.csv"
        assert path.is_file()


def test_regenerating_gives_byte_identical_files(regenerated: Path) -> None:
    written = sorted(path.name for path in regenerated.iterdir())
    assert written == sorted(f"{name}.csv" for name in CANONICAL_COLUMNS)
    for name, path in sample_trust_files().items():
        assert (regenerated / f"{name}.csv").read_bytes() == path.read_bytes(), name


@pytest.mark.parametrize("name", list(CANONICAL_COLUMNS))
def test_files_are_utf8_with_unix_line_endings(name: str) -> None:
    data = sample_trust_files()[name].read_bytes()
    data.decode("utf-8")
    assert b"\r" not in data
    assert data.endswith(b"\n")
    assert not data.startswith(b"\xef\xbb\xbf")  # no byte-order mark


def test_total_size_is_a_few_megabytes() -> None:
    total = sum(path.stat().st_size for path in sample_trust_files().values())
    assert 1_000_000 < total < 8_000_000


# ----------------------------------------------------------------------------------------------
# Shape: columns, row counts, keys, references
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CANONICAL_COLUMNS))
def test_columns_are_the_canonical_ones(tables: dict[str, pd.DataFrame], name: str) -> None:
    assert list(tables[name].columns) == CANONICAL_COLUMNS[name]


@pytest.mark.parametrize(("name", "bounds"), list(ROW_RANGES.items()))
def test_row_counts_are_in_range(
    tables: dict[str, pd.DataFrame], name: str, bounds: tuple[int, int]
) -> None:
    low, high = bounds
    assert low <= len(tables[name]) <= high


@pytest.mark.parametrize(("name", "key"), list(KEYS.items()))
def test_keys_are_unique(tables: dict[str, pd.DataFrame], name: str, key: list[str]) -> None:
    frame = tables[name]
    assert not frame.duplicated(key).any()
    assert (frame[key] != "").all().all()


@pytest.mark.parametrize(
    "name", ["inpatient_stays", "restrictive_interventions", "mha_episodes", "smi_register"]
)
def test_every_person_is_in_patients(tables: dict[str, pd.DataFrame], name: str) -> None:
    known = set(tables["patients"]["person_id"])
    assert set(tables[name]["person_id"]) <= known


@pytest.mark.parametrize("name", ["disciplinary", "training"])
def test_every_member_of_staff_is_in_staff(tables: dict[str, pd.DataFrame], name: str) -> None:
    assert set(tables[name]["staff_id"]) <= set(tables["staff"]["staff_id"])


# ----------------------------------------------------------------------------------------------
# Validity: dates, codes, intervals
# ----------------------------------------------------------------------------------------------


def test_stays_end_on_or_after_they_start(tables: dict[str, pd.DataFrame]) -> None:
    stays = tables["inpatient_stays"]
    start, end = parse_dates(stays["start_date"]), parse_dates(stays["end_date"])
    closed = end.notna()
    assert (end[closed] >= start[closed]).all()
    assert start.notna().all()


def test_stays_cover_the_eight_quarters_with_open_and_earlier_stays(
    tables: dict[str, pd.DataFrame],
) -> None:
    stays = tables["inpatient_stays"]
    start, end = parse_dates(stays["start_date"]), parse_dates(stays["end_date"])
    assert (start < "2023-07-01").sum() > 50  # admitted before the first quarter
    assert (end.isna()).sum() > 50  # still in hospital on 2025-06-30
    assert start.max() <= pd.Timestamp("2025-06-30")
    assert end.max() <= pd.Timestamp("2025-06-30")
    assert (end.isna() | (end >= "2023-07-01")).all()  # every stay overlaps the 8 quarters
    assert stays["ward"].nunique() == 30
    assert stays["division"].nunique() == 4


def test_a_person_never_has_overlapping_stays(tables: dict[str, pd.DataFrame]) -> None:
    stays = tables["inpatient_stays"].assign(
        start=lambda f: parse_dates(f["start_date"]),
        end=lambda f: parse_dates(f["end_date"]).fillna(pd.Timestamp("2100-01-01")),
    )
    ordered = stays.sort_values(["person_id", "start"])
    previous_end = ordered.groupby("person_id")["end"].shift()
    assert (previous_end.isna() | (ordered["start"] > previous_end)).all()


def test_every_intervention_falls_within_a_stay_on_that_ward(
    tables: dict[str, pd.DataFrame],
) -> None:
    interventions = tables["restrictive_interventions"].reset_index(names="row")
    interventions["when"] = pd.to_datetime(interventions["start_date"], format="%Y-%m-%d %H:%M")
    stays = tables["inpatient_stays"].assign(
        start=lambda f: parse_dates(f["start_date"]), end=lambda f: parse_dates(f["end_date"])
    )
    pairs = interventions.merge(stays, on=["person_id", "ward"], suffixes=("", "_stay"))
    day = pairs["when"].dt.normalize()
    inside = (day >= pairs["start"]) & (pairs["end"].isna() | (day <= pairs["end"]))
    matched = set(pairs.loc[inside, "row"])
    assert matched == set(interventions["row"])


def test_interventions_are_in_the_extract_window(tables: dict[str, pd.DataFrame]) -> None:
    when = pd.to_datetime(tables["restrictive_interventions"]["start_date"])
    assert when.min() >= pd.Timestamp("2023-07-01")
    assert when.max() < pd.Timestamp("2025-07-01")


def test_intervention_and_reason_codes_are_from_the_national_lists(
    tables: dict[str, pd.DataFrame],
) -> None:
    interventions = tables["restrictive_interventions"]
    types = {"01", "04", "05", "06", *(f"{code:02d}" for code in range(7, 18))}
    reasons = {*(str(code) for code in range(10, 20)), "98", "99"}
    assert set(interventions["type_code"]) <= types
    assert set(interventions["reason_code"]) <= reasons
    assert {"01", "05", "14"} <= set(interventions["type_code"])
    # several types per incident sometimes
    assert interventions.groupby("intervention_id").size().max() > 1


def test_mha_episodes_are_valid_and_some_dates_are_uk_style(
    tables: dict[str, pd.DataFrame],
) -> None:
    episodes = tables["mha_episodes"]
    start, end = parse_dates(episodes["start_date"]), parse_dates(episodes["end_date"])
    assert start.notna().all()
    closed = end.notna()
    assert (end[closed] >= start[closed]).all()
    assert (episodes["end_date"] != "").sum() == closed.sum()
    uk = episodes["start_date"].str.contains("/")
    assert 0 < uk.sum() < 0.1 * len(episodes)
    categories = set(episodes["legal_status_category"])
    assert {"A", "B", "C", "D", "P", "CTO", "01"} <= categories


def test_only_mha_episodes_use_uk_dates(tables: dict[str, pd.DataFrame]) -> None:
    iso = r"^(\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?)?$"
    for name, frame in tables.items():
        if name == "mha_episodes":
            continue
        for column in frame.columns:
            if column.endswith("date") or column == "year_end":
                assert frame[column].str.match(iso).all(), (name, column)


def test_smi_register_has_a_snapshot_each_quarter_end(tables: dict[str, pd.DataFrame]) -> None:
    register = tables["smi_register"]
    assert sorted(register["snapshot_date"].unique()) == [
        "2023-09-30",
        "2023-12-31",
        "2024-03-31",
        "2024-06-30",
        "2024-09-30",
        "2024-12-31",
        "2025-03-31",
        "2025-06-30",
    ]
    assert set(register["in_remission"]) == {"true", "false"}
    snapshot = pd.to_datetime(register["snapshot_date"])
    for element in ["bmi", "blood_pressure", "lipids", "glucose", "smoking", "alcohol"]:
        recorded = parse_dates(register[f"{element}_date"])
        assert recorded.isna().any(), element  # some never recorded
        assert (recorded.dropna() <= snapshot[recorded.notna()]).all(), element
        stale = recorded <= snapshot - pd.DateOffset(years=1)
        assert stale.any(), element  # some older than 12 months


def test_census_has_fictional_areas_and_all_groups(tables: dict[str, pd.DataFrame]) -> None:
    census = tables["census_population"].assign(population=lambda f: f["population"].astype(int))
    assert set(census["area_code"]) == CATCHMENT
    assert set(census["ethnic_group"]) == {str(code) for code in range(1, 20)}
    assert set(census["sex"]) == {"1", "2"}
    assert list(dict.fromkeys(census["age_band"])) == AGE_BANDS
    assert 1_200_000 <= census["population"].sum() <= 1_600_000
    # Census codes 13-17 are the White groups, 1-5 Asian, 6-8 Black, 9-12 Mixed, 18-19 Other.
    shares = census.groupby("ethnic_group")["population"].sum() / census["population"].sum()
    white = shares[[str(code) for code in range(13, 18)]].sum()
    assert 0.85 <= white <= 0.90
    assert 0.04 <= shares[[str(code) for code in range(1, 6)]].sum() <= 0.06
    assert 0.015 <= shares[["6", "7", "8"]].sum() <= 0.03


def test_patients_live_mostly_in_the_catchment(tables: dict[str, pd.DataFrame]) -> None:
    area = tables["patients"]["residence_area_code"]
    assert area.isin(CATCHMENT).mean() > 0.9
    assert (area == "").sum() > 0
    assert (~area.isin(CATCHMENT) & (area != "")).sum() > 0
    assert area.str.match(r"^(E0[6-9]999\d{3})?$").all()  # fictional E0x999xxx codes only


def test_patient_sex_is_mostly_male_or_female(tables: dict[str, pd.DataFrame]) -> None:
    sex = tables["patients"]["sex"]
    assert set(sex) == {"1", "2", "9", "X"}
    assert sex.isin(["1", "2"]).mean() > 0.99


def test_birth_dates_are_plausible(tables: dict[str, pd.DataFrame]) -> None:
    birth = pd.to_datetime(tables["patients"]["birth_date"], format="%Y-%m-%d")
    assert birth.min() >= pd.Timestamp("1900-01-01")
    assert birth.max() <= pd.Timestamp("2025-06-30")


def test_workforce_tables(tables: dict[str, pd.DataFrame]) -> None:
    staff = tables["staff"]
    assert set(staff["snapshot_date"]) == {"2024-03-31", "2025-03-31"}
    assert 7_500 <= (staff["snapshot_date"] == "2025-03-31").sum() <= 8_500
    bands = {"1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9", "VSM", "Consultant"}
    assert bands <= set(staff["band"])
    current = staff[staff["snapshot_date"] == "2025-03-31"]
    board = current[current["board_member"] != "none"]
    assert 12 <= len(board) <= 16
    assert set(board["board_member"]) == {"voting", "non-voting"}
    assert set(board["executive"]) == {"true", "false"}
    recruitment = tables["recruitment"]
    dates = pd.to_datetime(recruitment["date"])
    assert dates.min() >= pd.Timestamp("2024-04-01")
    assert dates.max() <= pd.Timestamp("2025-03-31")
    # appointed only from the shortlist
    assert not (
        (recruitment["appointed"] == "true") & (recruitment["shortlisted"] == "false")
    ).any()
    entered = pd.to_datetime(tables["disciplinary"]["entered_date"])
    assert entered.min() >= pd.Timestamp("2023-04-01")
    assert entered.max() <= pd.Timestamp("2025-03-31")
    assert set(tables["training"]["year_end"]) == {"2025-03-31"}
    survey = tables["staff_survey"].astype({"respondents": int, "positive": int})
    assert set(survey["year"]) == {"2023", "2024"}
    assert set(survey["indicator"]) == {"5", "6", "7", "8"}
    assert set(survey["group"]) == {"White", "BME"}
    assert (survey["positive"] <= survey["respondents"]).all()


# ----------------------------------------------------------------------------------------------
# Realistic mess in the ethnicity columns
# ----------------------------------------------------------------------------------------------


def test_not_stated_or_not_known_is_between_5_and_10_percent(patients: pd.DataFrame) -> None:
    unknown = patients["ethnic_category"].str.strip().str.upper().isin(NOT_STATED_OR_KNOWN)
    assert 0.05 <= unknown.mean() <= 0.10


def test_ethnicity_mess_is_present(patients: pd.DataFrame) -> None:
    values = patients["ethnic_category"]
    stripped = values.str.strip()
    assert (values != stripped).any()  # surrounding spaces
    assert stripped.str.fullmatch(r"[a-hj-np-s]").any()  # lower-case codes
    assert stripped.str.fullmatch(r"[A-HJ-NPRS][B-DF]").any()  # local two-character codes
    assert values.isin(["White - British", "Black or Black British - Caribbean"]).any()
    assert values.isin(["9", "X"]).any()  # legacy not known
    assert (values == "").any()
    assert values.isin(["Z", "99"]).any()
    assert not stripped.isin(["NA", "NK", "NS"]).any()  # ambiguous abbreviations avoided


# ----------------------------------------------------------------------------------------------
# Planted disparities, visible in the raw data with plain pandas
# ----------------------------------------------------------------------------------------------


def restrained_by_ward(tables: dict[str, pd.DataFrame], patients: pd.DataFrame) -> pd.DataFrame:
    """One row per person x ward with a stay in 2023-07-01..2025-06-30; restrained 0/1."""
    stays = tables["inpatient_stays"][["person_id", "ward"]].drop_duplicates()
    restrained = tables["restrictive_interventions"][["person_id", "ward"]].drop_duplicates()
    restrained = restrained.assign(restrained=1)
    frame = stays.merge(restrained, on=["person_id", "ward"], how="left").fillna({"restrained": 0})
    return frame.merge(patients[["person_id", "group"]], on="person_id")


def test_black_inpatients_are_restrained_more_often_than_white(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame
) -> None:
    people = restrained_by_ward(tables, patients).groupby("person_id")
    person = people.agg(restrained=("restrained", "max"), group=("group", "first"))
    share = person.groupby("group")["restrained"].mean()
    assert share["Black"] / share["White"] > 1.3


def test_ward_confounding_makes_the_crude_ratio_larger_than_the_ward_adjusted_one(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame
) -> None:
    frame = restrained_by_ward(tables, patients)
    frame = frame[frame["group"].isin(["Black", "White"])]
    # Mantel-Haenszel risk ratio over wards (Greenland and Robins 1985), by hand:
    # sum_w a_w n0_w / N_w  /  sum_w c_w n1_w / N_w.
    numerator = denominator = 0.0
    for _ward, stratum in frame.groupby("ward"):
        black = stratum[stratum["group"] == "Black"]["restrained"]
        white = stratum[stratum["group"] == "White"]["restrained"]
        size = len(black) + len(white)
        numerator += black.sum() * len(white) / size
        denominator += white.sum() * len(black) / size
    adjusted = numerator / denominator
    crude_share = frame.groupby("group")["restrained"].mean()
    crude = crude_share["Black"] / crude_share["White"]
    assert adjusted > 1.3
    assert crude > adjusted * 1.05


def test_black_patients_stay_on_wards_where_white_patients_are_restrained_more(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame
) -> None:
    # Exposure to high-restraint wards: each ward's restraint rate among its White patients,
    # averaged over the person-ward pairs of each group (the confounder of the crude ratio).
    frame = restrained_by_ward(tables, patients)
    white = frame[frame["group"] == "White"]
    ward_rate = white.groupby("ward")["restrained"].mean()
    exposure = frame.assign(ward_rate=frame["ward"].map(ward_rate)).groupby("group")["ward_rate"]
    assert exposure.mean()["Black"] > 1.15 * exposure.mean()["White"]


def test_prone_restraint_is_more_common_for_black_patients(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame
) -> None:
    rows = tables["restrictive_interventions"].merge(patients[["person_id", "group"]])
    prone = rows.assign(prone=rows["type_code"] == "01").groupby("group")["prone"].mean()
    assert prone["Black"] > 1.3 * prone["White"]


def test_detention_rates_of_black_residents_are_much_higher(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame
) -> None:
    episodes = tables["mha_episodes"]
    start = parse_dates(episodes["start_date"])
    new = episodes[
        episodes["legal_status_category"].isin(["A", "B", "C", "D", "P"])
        & (start >= "2023-07-01")
        & (start <= "2025-06-30")
    ]
    residents = patients[patients["residence_area_code"].isin(CATCHMENT)]
    detentions = new.merge(residents[["person_id", "group"]]).groupby("group").size()
    census = tables["census_population"].assign(population=lambda f: f["population"].astype(int))
    # Census codes 6-8 are Black groups and 13-17 White groups.
    black = census[census["ethnic_group"].isin(["6", "7", "8"])]["population"].sum()
    white = census[census["ethnic_group"].isin(["13", "14", "15", "16", "17"])]["population"].sum()
    ratio = (detentions["Black"] / black) / (detentions["White"] / white)
    assert 2.5 < ratio < 4.5


def test_smi_checks_are_completed_less_often_for_black_patients(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame
) -> None:
    # All six checks dated in the 12 months to each quarter end, adults not in remission;
    # shares averaged over the 8 quarter ends (planted: about 60% White, 48% Black).
    register = tables["smi_register"].merge(patients[["person_id", "group", "birth_date"]])
    snapshot = pd.to_datetime(register["snapshot_date"])
    adult = pd.to_datetime(register["birth_date"]) <= snapshot - pd.DateOffset(years=18)
    register = register[adult & (register["in_remission"] == "false")]
    snapshot = snapshot[register.index]
    complete = pd.Series(True, index=register.index)
    for element in ["bmi", "blood_pressure", "lipids", "glucose", "smoking", "alcohol"]:
        recorded = parse_dates(register[f"{element}_date"])
        complete &= recorded > snapshot - pd.DateOffset(years=1)
    share = complete.groupby([register["snapshot_date"], register["group"]]).mean().unstack()
    average = share.mean()
    assert average["White"] - average["Black"] > 0.07
    assert 0.55 < average["White"] < 0.65
    assert 0.43 < average["Black"] < 0.53


def workforce_group(values: pd.Series) -> pd.Series:
    """WRES groups by hand: White (A-C), BME (D-S), unknown."""
    broad = values.map(broad_group)
    return broad.where(broad.isin(["White", "unknown"]), "BME")


def test_wres_planted_differences(tables: dict[str, pd.DataFrame]) -> None:
    recruitment = tables["recruitment"]
    shortlisted = recruitment[recruitment["shortlisted"] == "true"]
    appointed = (shortlisted["appointed"] == "true").groupby(
        workforce_group(shortlisted["ethnic_category"])
    )
    likelihood = appointed.mean()
    assert likelihood["White"] / likelihood["BME"] > 1.3  # indicator 2

    staff = tables["staff"]
    headcount = staff.groupby(
        [staff["snapshot_date"], workforce_group(staff["ethnic_category"])]
    ).size()
    average = headcount.groupby(level=1).mean()
    cases = workforce_group(tables["disciplinary"]["ethnic_category"]).value_counts()
    relative = (cases["BME"] / average["BME"]) / (cases["White"] / average["White"])
    assert relative > 1.1  # indicator 3

    training = tables["training"]
    accessed = (training["accessed_non_mandatory"] == "true").groupby(
        workforce_group(training["ethnic_category"])
    )
    assert 0.9 < accessed.mean()["White"] / accessed.mean()["BME"] < 1.15  # indicator 4

    current = staff[staff["snapshot_date"] == "2025-03-31"]
    groups = workforce_group(current["ethnic_category"])
    known = groups != "unknown"
    workforce_bme = (groups[known] == "BME").mean()
    voting = current["board_member"] == "voting"
    board_bme = (groups[voting & known] == "BME").mean()
    assert board_bme < workforce_bme - 0.05  # indicator 9: board less diverse


def test_staff_survey_is_worse_for_bme_staff(tables: dict[str, pd.DataFrame]) -> None:
    survey = tables["staff_survey"].astype({"respondents": int, "positive": int})
    survey["share"] = survey["positive"] / survey["respondents"]
    wide = survey.pivot_table(index=["year", "indicator"], columns="group", values="share")
    harmful = wide.xs("5", level="indicator"), wide.xs("8", level="indicator")
    for frame in harmful:
        assert (frame["BME"] > frame["White"]).all()
    assert (wide.xs("7", level="indicator")["BME"] < wide.xs("7", level="indicator")["White"]).all()


# ----------------------------------------------------------------------------------------------
# Loading and configuration
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CANONICAL_COLUMNS))
def test_every_file_loads_cleanly(name: str) -> None:
    loaded = loaders.load(name, sample_trust_files()[name], loader="csv")
    assert loaded.report.rows_read == len(pd.read_csv(sample_trust_files()[name], dtype=str))
    assert loaded.report.rows_accepted == loaded.report.rows_read
    assert dict(loaded.report.rows_excluded) == {}


def test_write_sample_config_copies_the_files_and_writes_a_config(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder"
    config = write_sample_config(target)
    assert config == target / "quarterly.toml"
    for name, path in sample_trust_files().items():
        assert (target / f"{name}.csv").read_bytes() == path.read_bytes()
    settings = tomllib.loads(config.read_text(encoding="utf-8"))
    assert settings["organisation"]["name"] == "Example Partnership NHS Foundation Trust"
    assert str(settings["period"]["start"]) == "2025-04-01"
    assert str(settings["period"]["end"]) == "2025-06-30"
    assert settings["analysis"]["catchment"] == sorted(CATCHMENT)
    for name in CANONICAL_COLUMNS:
        source = settings["data"][name]
        assert source["loader"] == "csv"
        assert (config.parent / source["path"]).is_file()


def test_write_sample_config_accepts_a_string_and_overwrites(tmp_path: Path) -> None:
    first = write_sample_config(str(tmp_path))
    second = write_sample_config(str(tmp_path))
    assert first == second == tmp_path / "quarterly.toml"


def test_write_sample_config_refuses_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(InvalidArgumentError, match="directory must be a folder"):
        write_sample_config(blocker)


def test_write_sample_config_refuses_a_non_path() -> None:
    with pytest.raises(InvalidArgumentError, match="directory must be a path"):
        write_sample_config(42)  # type: ignore[arg-type]


def test_repository_config_points_at_the_packaged_files(tmp_path: Path) -> None:
    config_path = REPOSITORY / "sample_data" / "quarterly.toml"
    settings = tomllib.loads(config_path.read_text(encoding="utf-8"))
    files = sample_trust_files()
    for name in CANONICAL_COLUMNS:
        path = (config_path.parent / settings["data"][name]["path"]).resolve()
        assert path == files[name].resolve()
    written = tomllib.loads(write_sample_config(tmp_path).read_text(encoding="utf-8"))
    prefix = "../src/equitymetrics/datasets/sample_trust/"
    for name in CANONICAL_COLUMNS:
        assert settings["data"][name]["path"] == prefix + written["data"][name]["path"]
    del settings["data"], written["data"]
    assert settings == written
    assert settings["analysis"] == {
        "grouping": "broad",
        "reference": "White",
        "confidence_level": 0.95,
        "catchment": sorted(CATCHMENT),
        "measures": ["all"],
    }
    assert settings["disclosure"] == {"policy": "nhs_secondary_care"}
