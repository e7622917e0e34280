"""SI indicators 4–8 (net change in native species) and 10 (invasive share) from a city's species lists."""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cbindex.core.errors import CBIInputError
from cbindex.scoring.stage import score_city
from cbindex.species.species_change import (
    SpeciesListRules,
    invasive_share,
    net_change,
    read_species_lists,
    species_list_values,
)
from cbindex.species.stage import compute_species_list_indicators
from tests.helpers import REPO

CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text(encoding="utf-8"))
RULES = SpeciesListRules(**CONFIG["species_lists"])
RULE_SET = str(REPO / "config/scoring/si-2014.yaml")

HAND_LISTS = """group,species,status,survey
vascular plants,Ficus microcarpa,native,baseline
vascular plants,Cinnamomum camphora,native,baseline
vascular plants,Ligustrum lucidum,native,baseline
vascular plants,Ginkgo biloba,introduced,baseline
vascular plants, Ficus  microcarpa ,native,current
vascular plants,ficus microcarpa,native,current
vascular plants,Cinnamomum camphora,native,current
vascular plants,Ligustrum lucidum,introduced,current
vascular plants,Osmanthus fragrans,native,current
vascular plants,Magnolia denudata,native,current
vascular plants,Mikania micrantha,invasive,current
vascular plants,Ginkgo biloba,introduced,current
Birds,Passer montanus,native,baseline
birds,Passer montanus,native,current
birds,Passer montanus,native,current
birds,Pica serica,native,current
birds,Acridotheres cristatellus,invasive,current
dragonflies,Anax parthenope,native,current
dragonflies,Pantala flavescens,native,current
"""


def write(path: Path, text: str, *, encoding="utf-8") -> str:
    path.write_text(text, encoding=encoding)
    return str(path)


@pytest.fixture
def hand_lists(tmp_path):
    return read_species_lists(write(tmp_path / "lists.csv", HAND_LISTS), rules=RULES)


def test_duplicates_and_white_space_variants_count_once(hand_lists):
    # " Ficus  microcarpa " and "ficus microcarpa" (current), and "birds,Passer montanus" twice
    assert hand_lists.duplicates_removed == 2
    current_plants = hand_lists.native(["vascular plants"], "current")
    assert ("vascular plants", "ficus microcarpa") in current_plants and len(current_plants) == 4
    assert set(hand_lists.rows["group"]) == {"vascular plants", "Birds", "dragonflies"}


def test_net_change_by_hand(hand_lists):
    plants = net_change(hand_lists, indicator="I4")
    # baseline natives {Ficus, Cinnamomum, Ligustrum}; current natives {Ficus, Cinnamomum, Osmanthus, Magnolia}:
    # 2 gained (Osmanthus, Magnolia), 1 lost (Ligustrum is now listed as introduced); introduced Ginkgo ignored
    assert (plants.value, plants.gained, plants.lost, plants.baseline, plants.current) == (1, 2, 1, 3, 4)
    birds = net_change(hand_lists, indicator="I5")
    assert (birds.value, birds.gained, birds.lost) == (1, 1, 0)
    assert net_change(hand_lists, indicator="I6") is None  # no butterfly group in the file


def test_invasive_share_by_hand(hand_lists):
    share = invasive_share(hand_lists)
    # current: plants 4 native + 1 invasive, birds 2 native + 1 invasive, dragonflies 2 native → 2 ÷ (8 + 2)
    assert (share.invasive, share.native, share.introduced) == (2, 8, 2)
    assert share.value == pytest.approx(20.0)
    assert share.by_group == pytest.approx({"vascular plants": 20.0, "Birds": 100 / 3, "dragonflies": 0.0})


def test_group_missing_from_the_baseline_is_not_assessed(tmp_path):
    rules = SpeciesListRules(change_indicators={**RULES.change_indicators, "I7": ["dragonflies"]})
    lists = read_species_lists(write(tmp_path / "lists.csv", HAND_LISTS), rules=rules)
    change = net_change(lists, indicator="I7")  # dragonflies have a current list only
    assert change.value is None
    assert "group dragonflies has no baseline list" in change.reason and "lists.csv" in change.reason
    values = {value.indicator: value for value in species_list_values(lists, rules=rules)}
    assert pd.isna(values["I7"].value) and values["I7"].method.startswith("not assessed: group dragonflies")
    assert values["I4"].value == 1 and "I6" not in values


def test_indicator_column_assigns_the_city_chosen_groups(tmp_path):
    text = (
        "group,species,status,survey,indicator\n"
        "amphibians,Bufo gargarizans,native,baseline,I8\n"
        "amphibians,Bufo gargarizans,native,current,\n"
        "amphibians,Pelophylax nigromaculatus,native,current,I8\n"
        "dragonflies,Anax parthenope,native,baseline,i7\n"
        "dragonflies,Anax parthenope,native,current,I7\n"
    )
    lists = read_species_lists(write(tmp_path / "lists.csv", text), rules=RULES)
    assert net_change(lists, indicator="I8").value == 1
    assert net_change(lists, indicator="I7").value == 0


def test_chinese_headers_and_values(tmp_path):
    text = (
        "类群,物种,状态,调查\n"
        "鸟类,麻雀,本土,基线\n"
        "鸟类,麻雀,本土,现状\n"
        "鸟类,灰喜鹊,本土,现状\n"
        "鸟类,家八哥,外来入侵,现状\n"
    )
    lists = read_species_lists(write(tmp_path / "名录.csv", "\ufeff" + text), rules=RULES)
    assert net_change(lists, indicator="I5").value == 1
    assert invasive_share(lists).value == pytest.approx(100 / 3)


def test_latin1_list(tmp_path):
    text = "group,species,status,survey\nbirds,Turdus mérula,native,baseline\nbirds,Turdus mérula,native,current\n"
    lists = read_species_lists(write(tmp_path / "lists.csv", text, encoding="latin-1"), rules=RULES)
    assert list(lists.rows["species"].unique()) == ["Turdus mérula"]
    assert net_change(lists, indicator="I5").value == 0


def test_without_status_column_every_species_is_native_and_i10_not_assessed(tmp_path):
    text = "group,species,survey\nbirds,Pica serica,baseline\nbirds,Pica serica,current\nbirds,Parus minor,current\n"
    lists = read_species_lists(write(tmp_path / "lists.csv", text), rules=RULES)
    assert net_change(lists, indicator="I5").value == 1
    share = invasive_share(lists)
    assert share.value is None and "no status column" in share.reason


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "group,species,status,survey\nbirds,Pica serica,resident,current\n",
            r"lists\.csv line 2 has status 'resident'; write native or introduced or invasive\.",
        ),
        (
            "group,species,status,survey\nbirds,Pica serica,native,now\n",
            r"line 2 has survey 'now'; write baseline or current\.",
        ),
        ("group,species,status,survey\nbirds,,native,current\n", r"line 2 has no species; fill it in or delete"),
        (
            "group,species,status\nbirds,Pica serica,native\n",
            r"has no survey column .*; name the survey column 'survey'\.",
        ),
        (
            "group,species,status,survey\nbirds,Pica serica,native,current\nbirds,pica  serica,invasive,current\n",
            r"gives 'Pica serica' \(birds, current survey\) the statuses invasive and native; keep one\.",
        ),
        (
            "group,species,status,survey,indicator\nfrogs,Rana,native,current,I7\nfrogs,Hyla,native,current,I8\n",
            r"assigns group 'frogs' to indicators I7 and I8",
        ),
        (
            "group,species,status,survey,indicator\nfrogs,Rana,native,current,I9\n",
            r"names indicator 'I9'; use one of I4",
        ),
    ],
)
def test_bad_lists_name_the_file_line_and_fix(tmp_path, text, message):
    with pytest.raises(CBIInputError, match=message):
        read_species_lists(write(tmp_path / "lists.csv", text), rules=RULES)


def test_missing_file_names_the_sheet_column(tmp_path):
    with pytest.raises(CBIInputError, match="city sheet's species_lists column"):
        read_species_lists(str(tmp_path / "absent.csv"), rules=RULES)


# ------------------------------------------------------------------------------------- stage and scoring


def landcover_table(tmp_path) -> str:
    path = tmp_path / "landcover_indicators.csv"
    pd.DataFrame([{"city": "test", "year": 2020, "indicator": "I1", "value": 25.0, "unit": "%", "method": "m"}]).to_csv(
        path, index=False
    )
    return str(path)


def test_stage_table_is_scored_and_conflicts_with_figures(tmp_path):
    lists = write(tmp_path / "lists.csv", HAND_LISTS)
    table = tmp_path / "species_list_indicators.csv"
    compute_species_list_indicators(
        city="test", species_lists_path=lists, species_list_rules=CONFIG["species_lists"], indicators_csv=str(table)
    )
    written = pd.read_csv(table)
    assert written["year"].isna().all()
    assert list(written.columns) == ["city", "year", "indicator", "value", "unit", "method"]
    score_city(
        boundary_coverage_tolerance_percent=1.0,
        on_partial_coverage="hold",
        city="test",
        tables=[landcover_table(tmp_path), str(table)],
        rule_set_path=RULE_SET,
        figures_path=None,
        indicators_csv=str(tmp_path / "indicators.csv"),
        scorecard_json=str(tmp_path / "scorecard.json"),
    )
    scored = pd.read_csv(tmp_path / "indicators.csv").set_index("indicator")
    assert (scored.loc["I4", "value"], scored.loc["I4", "points"], scored.loc["I4", "status"]) == (1, 1, "scored")
    assert scored.loc["I10", "points"] == 2  # 20.0 % lies in 11.1–20.0 %
    assert scored.loc["I4_species_gained", "status"] == "supporting"
    assert scored.loc["I6", "status"] == "not_assessed"
    card = json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))
    assert {row["id"]: row["derived_by"] for row in card["indicators"]}["I4"] == "records"
    figures = tmp_path / "figures.yaml"
    figures.write_text(
        yaml.safe_dump(
            {
                "rule_set": "si-2014",
                "city": "test",
                "year": 2023,
                "figures": {"I5": {"value": 3}, "I15": {"value": 1.0}},
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(CBIInputError) as error:
        score_city(
            boundary_coverage_tolerance_percent=1.0,
            on_partial_coverage="hold",
            city="test",
            tables=[landcover_table(tmp_path), str(table)],
            rule_set_path=RULE_SET,
            figures_path=str(figures),
            indicators_csv=str(tmp_path / "indicators.csv"),
            scorecard_json=str(tmp_path / "scorecard.json"),
        )
    message = str(error.value)
    assert message.startswith(f"I5 is given both in figures file {figures} and by the workflow in {table}")
    assert str(lists) in message and "delete figures.I5 from the figures file" in message


def test_figures_may_supply_what_the_lists_do_not_cover(tmp_path):
    lists = write(tmp_path / "lists.csv", HAND_LISTS)
    table = tmp_path / "species_list_indicators.csv"
    compute_species_list_indicators(
        city="test", species_lists_path=lists, species_list_rules=CONFIG["species_lists"], indicators_csv=str(table)
    )
    figures = tmp_path / "figures.yaml"
    figures.write_text(
        yaml.safe_dump(
            {
                "rule_set": "si-2014",
                "city": "test",
                "year": 2023,
                "figures": {"I6": {"value": 4, "source": "butterfly survey"}},
            }
        ),
        encoding="utf-8",
    )
    score_city(
        boundary_coverage_tolerance_percent=1.0,
        on_partial_coverage="hold",
        city="test",
        tables=[landcover_table(tmp_path), str(table)],
        rule_set_path=RULE_SET,
        figures_path=str(figures),
        indicators_csv=str(tmp_path / "indicators.csv"),
        scorecard_json=str(tmp_path / "scorecard.json"),
    )
    scored = pd.read_csv(tmp_path / "indicators.csv").set_index("indicator")
    assert scored.loc["I6", "points"] == 4 and scored.loc["I4", "points"] == 1
