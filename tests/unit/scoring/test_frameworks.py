"""The KMGBF mapping (config/frameworks/kmgbf.yaml) against the rule sets, and the mapping schema's checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cbindex.core.errors import CBIInputError
from cbindex.scoring.frameworks import check_framework_indicators, load_framework
from cbindex.scoring.rule_sets import load_rule_set

REPO = Path(__file__).resolve().parents[3]
KMGBF = REPO / "config" / "frameworks" / "kmgbf.yaml"
RULE_SETS = sorted((REPO / "config" / "scoring").glob("*.yaml"))


@pytest.mark.parametrize("rule_set_path", RULE_SETS, ids=lambda path: path.stem)
def test_kmgbf_lists_exactly_the_indicators_of_every_rule_set(rule_set_path):
    rule_set = load_rule_set(rule_set_path)
    framework = load_framework(KMGBF)
    check_framework_indicators(framework, rule_set)  # every listed id is an indicator of the rule set
    assert list(framework.links[rule_set.id]) == list(rule_set.indicators)  # and every indicator is listed


def test_kmgbf_links_are_proposals_or_cited_and_titles_say_where_they_were_read():
    framework = load_framework(KMGBF)
    links = [link for indicators in framework.links.values() for entries in indicators.values() for link in entries]
    assert links and all(link.basis in ("published", "proposal") for link in links)
    assert all(link.citation for link in links if link.basis == "published")
    for target in framework.targets.values():
        assert target.title and target.title_zh and target.title_source
        assert target.title_zh_is_translation  # the official Chinese text was not retrieved
    used = {link.target.number for link in links}
    assert used == set(framework.targets)  # the file lists only targets some link names


def test_kmgbf_proposal_matches_the_reference_for_the_land_cover_indicators():
    framework = load_framework(KMGBF)
    numbers = {
        indicator: [link.target.number for link in framework.links_of("si-2014", indicator)]
        for indicator in ("I1", "I2", "I9", "I10", "I13")
    }
    assert numbers == {"I1": [1, 2, 12], "I2": [1, 2, 12], "I9": [3], "I10": [6], "I13": [12]}
    assert framework.links_of("cn-ubi", "I9") == framework.links_of("si-2014", "I9")
    assert [link.target.number for link in framework.links_of("cn-ubi", "redline_coverage")] == [1, 3]


def _mapping(tmp_path: Path, change) -> Path:
    document = yaml.safe_load(KMGBF.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_a_published_link_without_citation_breaks_the_schema(tmp_path):
    def publish(document):
        document["links"]["si-2014"]["I9"] = [{"target": 3, "basis": "published"}]

    with pytest.raises(CBIInputError, match="mapping.yaml"):
        load_framework(_mapping(tmp_path, publish))


def test_a_link_to_a_target_the_file_does_not_list_is_one_sentence(tmp_path):
    def link_23(document):
        document["links"]["si-2014"]["I9"] = [{"target": 23, "basis": "proposal"}]

    path = _mapping(tmp_path, link_23)
    with pytest.raises(CBIInputError) as caught:
        load_framework(path)
    assert str(caught.value) == (
        f"{path}: links.si-2014.I9 names target 23, which the file's targets do not list; add targets.23 (title, "
        "title_zh, title_source, title_zh_source) or correct the number."
    )


def test_an_indicator_the_rule_set_lacks_is_one_sentence(tmp_path):
    def add_i24(document):
        document["links"]["si-2014"]["I24"] = []

    path = _mapping(tmp_path, add_i24)
    with pytest.raises(CBIInputError, match=r"links\.si-2014 names I24, which is not an indicator of si-2014; use"):
        check_framework_indicators(load_framework(path), load_rule_set(REPO / "config" / "scoring" / "si-2014.yaml"))
