"""cbindex.core.publication: snapshots of each city's results, exact restores of the cities whose run failed.

Each test works in a temporary folder laid out as a workflow's (``results/``, ``.snakemake/metadata``), with the
working directory there, as Snakemake's handlers run.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from cbindex.core import publication
from cbindex.core.atomic_write import atomic_path
from cbindex.core.publication import (
    SNAKEMAKE_METADATA,
    SNAPSHOT_AREA,
    cities_to_restore,
    has_snapshot,
    recover,
    restore,
    snapshot,
)

RESULTS = Path("results")


@pytest.fixture
def workflow_dir(tmp_path, monkeypatch) -> Path:
    """Two cities with published results and their Snakemake metadata records."""
    monkeypatch.chdir(tmp_path)
    for city in ("freetown", "chengdu"):
        write(f"results/{city}/indicators.csv", f"{city} indicators v1\n")
        write(f"results/{city}/scorecard.json", f'{{"city": "{city}"}}\n')
        write(f"results/{city}/2020/natural_areas.tif", f"{city} mask 2020\n")
        write(f"results/{city}/logs/score_city.log", "scored\n")
        write(f"results/{city}/benchmarks/score_city.tsv", "s\n1.0\n")
        for output in ("indicators.csv", "scorecard.json", "2020/natural_areas.tif"):
            record(f"results/{city}/{output}", f'{{"params": ["v1 of {output}"]}}')
    (tmp_path / "results/freetown/empty_folder").mkdir()
    record("data/elsewhere.csv", "{}")  # a record outside the results: never touched
    return tmp_path


def write(path: str, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def replace(path: str, text: str) -> None:
    """Replace a file as the workflow's writers do: a new file renamed onto it."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def record_path(key: str) -> Path:
    return SNAKEMAKE_METADATA / base64.urlsafe_b64encode(key.encode()).decode()


def record(key: str, text: str) -> None:
    """Write a metadata record as Snakemake does: in place, named by the base64 of the output path."""
    path = record_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def state(root: Path = Path(".")) -> dict[str, str]:
    """SHA-256 of every file and ``<folder>`` of every folder under the results and the metadata (not snapshots)."""
    found = {}
    for base in (root / RESULTS, root / SNAKEMAKE_METADATA):
        for folder, subfolders, files in os.walk(base):
            subfolders[:] = [name for name in subfolders if name != SNAPSHOT_AREA]
            found[Path(folder).as_posix()] = "<folder>"
            for name in files:
                path = Path(folder, name)
                found[path.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def fail_a_run_of_freetown() -> None:
    """What a failed re-run does to freetown: every kind of change a run makes."""
    write("results/freetown/2021/natural_areas.tif", "half a year")  # added, with a new folder
    with atomic_path("results/freetown/indicators.csv") as temporary:  # replaced by rename
        temporary.write_text("freetown indicators v2\n", encoding="utf-8")
    os.unlink("results/freetown/scorecard.json")  # deleted before its job ran
    os.unlink("results/freetown/logs/score_city.log")  # Snakemake deletes a log before the job ...
    write("results/freetown/logs/score_city.log", "failed: bad overrides\n")  # ... which writes a new one
    with open("results/freetown/benchmarks/score_city.tsv", "w", encoding="utf-8") as stream:
        stream.write("s\n2.0\n")  # Snakemake rewrites benchmarks in place
    (Path("results/freetown/empty_folder")).rmdir()
    record("results/freetown/indicators.csv", '{"params": ["v2"]}')  # rewritten in place
    os.unlink(record_path("results/freetown/scorecard.json"))  # removed with the output of a failed job
    record("results/freetown/2021/natural_areas.tif", "{}")  # a job of the new year that finished


def test_restore_puts_back_the_snapshot_exactly(workflow_dir):
    before = state()
    inode = os.stat("results/freetown/indicators.csv").st_ino
    assert snapshot(RESULTS, ["freetown", "chengdu"]) == {"freetown": "taken", "chengdu": "taken"}
    fail_a_run_of_freetown()
    assert state() != before

    outcome = restore(RESULTS, "freetown")

    assert state() == before
    assert os.stat("results/freetown/indicators.csv").st_ino == inode  # the very file, its time included
    assert outcome.removed == ["2021/natural_areas.tif"]
    assert outcome.put_back == [
        "benchmarks/score_city.tsv",
        "indicators.csv",
        "logs/score_city.log",
        "scorecard.json",
    ]
    assert outcome.folders and outcome.records == 3 and outcome.kept == []
    assert not has_snapshot(RESULTS, "freetown") and has_snapshot(RESULTS, "chengdu")


def test_the_failed_jobs_logs_stay_where_snakemake_points(workflow_dir):
    before = state()
    snapshot(RESULTS, ["freetown"])
    fail_a_run_of_freetown()
    write("results/freetown/logs/compute_landcover_indicators_2021.log", "raster 2021 cannot be opened\n")
    keep = [
        "results/freetown/logs/score_city.log",  # rewritten by the failed job
        "results/freetown/logs/compute_landcover_indicators_2021.log",  # new
        "results/freetown/logs/write_qgis_project.log",  # a job that never started: nothing to keep
        "results/chengdu/logs/score_city.log",  # another city's
    ]

    outcome = restore(RESULTS, "freetown", keep=keep)

    assert outcome.kept == ["logs/compute_landcover_indicators_2021.log", "logs/score_city.log"]
    assert Path("results/freetown/logs/score_city.log").read_text() == "failed: bad overrides\n"
    after = state()
    changed = {path for path in set(before) | set(after) if before.get(path) != after.get(path)}
    assert changed == {
        "results/freetown/logs/score_city.log",
        "results/freetown/logs/compute_landcover_indicators_2021.log",
    }


def test_a_failed_first_run_leaves_only_its_failed_logs(workflow_dir):
    snapshot(RESULTS, ["dakar"])
    write("results/dakar/2020/landcover_indicators.csv", "half")
    write("results/dakar/logs/compute_landcover_indicators_2020.log", "the boundary is empty\n")
    restore(RESULTS, "dakar", keep=["results/dakar/logs/compute_landcover_indicators_2020.log"])
    assert sorted(str(path) for path in Path("results/dakar").rglob("*")) == [
        "results/dakar/logs",
        "results/dakar/logs/compute_landcover_indicators_2020.log",
    ]


def test_a_benchmark_rewritten_in_place_would_reach_a_linked_snapshot(workflow_dir, monkeypatch):
    """Why benchmarks are copied: linked like the other files, their in-place rewrite reaches the snapshot."""
    monkeypatch.setattr(publication, "COPIED_FOLDERS", ())
    snapshot(RESULTS, ["freetown"])
    fail_a_run_of_freetown()
    restore(RESULTS, "freetown")
    assert Path("results/freetown/benchmarks/score_city.tsv").read_text() == "s\n2.0\n"


def test_without_hard_links_the_snapshot_is_copied(workflow_dir, monkeypatch):
    before = state()

    def no_links(*arguments, **keywords):
        raise OSError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    snapshot(RESULTS, ["freetown"])
    assert os.stat(RESULTS / SNAPSHOT_AREA / "freetown/files/indicators.csv").st_nlink == 1
    fail_a_run_of_freetown()
    restore(RESULTS, "freetown")
    assert state() == before


def test_a_city_without_results_before_loses_what_the_failed_run_made(workflow_dir):
    snapshot(RESULTS, ["dakar"])
    write("results/dakar/2020/landcover_indicators.csv", "half")
    record("results/dakar/2020/landcover_indicators.csv", "{}")
    outcome = restore(RESULTS, "dakar")
    assert (
        not Path("results/dakar").exists() and not record_path("results/dakar/2020/landcover_indicators.csv").exists()
    )
    assert outcome.removed == ["2020/landcover_indicators.csv"] and outcome.records == 1


def test_an_untouched_city_is_left_as_it_is(workflow_dir):
    folder_time = os.stat("results/chengdu").st_mtime_ns
    snapshot(RESULTS, ["chengdu"])
    outcome = restore(RESULTS, "chengdu")
    assert not outcome.changed and os.stat("results/chengdu").st_mtime_ns == folder_time


def test_long_metadata_names_split_into_folders_are_found(workflow_dir):
    """Snakemake cuts a record name longer than the file system allows into folders prefixed with @."""
    key = "results/freetown/" + "x" * 300 + ".csv"
    encoded = base64.urlsafe_b64encode(key.encode()).decode()
    path = SNAKEMAKE_METADATA / ("@" + encoded[:254]) / encoded[254:]
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    snapshot(RESULTS, ["freetown"])
    path.write_text('{"changed": true}')
    assert restore(RESULTS, "freetown").records == 1
    assert path.read_text() == "{}"


def test_a_snapshot_left_by_a_killed_run_is_kept_and_a_partial_one_retaken(workflow_dir):
    snapshot(RESULTS, ["freetown"])  # the run is killed: no onsuccess, no onerror
    replace("results/freetown/indicators.csv", "half-updated by the killed run\n")
    half = RESULTS / SNAPSHOT_AREA / ".chengdu.partial"  # killed while snapshotting chengdu
    write(str(half / "files/indicators.csv"), "partial")

    assert snapshot(RESULTS, ["freetown", "chengdu"]) == {"freetown": "kept", "chengdu": "taken"}
    assert not half.exists()
    restore(RESULTS, "freetown")
    assert Path("results/freetown/indicators.csv").read_text() == "freetown indicators v1\n"


def test_a_restore_interrupted_after_moving_the_failed_tree_is_no_snapshot(workflow_dir):
    snapshot(RESULTS, ["freetown"])
    os.rename(RESULTS / SNAPSHOT_AREA / "freetown/files", "elsewhere")
    assert not has_snapshot(RESULTS, "freetown")


def test_cities_to_restore_names_each_city_that_did_not_complete(workflow_dir):
    finals = [f"results/{city}/{name}" for city in ("freetown", "chengdu", "dakar") for name in ("indicators.csv",)]
    write("results/dakar/indicators.csv", "made")
    os.unlink("results/chengdu/indicators.csv")
    reasons = cities_to_restore(
        RESULTS,
        ["freetown", "chengdu", "dakar"],
        final_targets=finals,
        pending_outputs=["results/freetown/2021/natural_areas.tif", "data/other.tif", "results/.last_good/x"],
    )
    assert set(reasons) == {"freetown", "chengdu"}
    assert "results/freetown/2021/natural_areas.tif" in reasons["freetown"] and "planned" in reasons["freetown"]
    assert "results/chengdu/indicators.csv" in reasons["chengdu"] and "missing" in reasons["chengdu"]


def test_recover_restores_the_failed_city_and_keeps_the_completed_one(workflow_dir):
    before = state()
    snapshot(RESULTS, ["freetown", "chengdu"])
    fail_a_run_of_freetown()
    replace("results/chengdu/indicators.csv", "chengdu indicators v2\n")  # chengdu's run completed
    said = []

    failed_job = SimpleNamespace(
        output=["results/freetown/scorecard.json"], log=["results/freetown/logs/score_city.log"]
    )

    restored = recover(
        RESULTS,
        ["freetown", "chengdu"],
        final_targets=["results/freetown/indicators.csv", "results/chengdu/indicators.csv"],
        unfinished_jobs=iter([failed_job]),
        say=said.append,
    )

    assert set(restored) == {"freetown"} and restored["freetown"].kept == ["logs/score_city.log"]
    assert Path("results/freetown/logs/score_city.log").read_text() == "failed: bad overrides\n"
    after = state()
    for path in before:
        if "/freetown" in path and not path.endswith("score_city.log"):
            assert after.get(path) == before[path], path
    assert not [path for path in set(after) - set(before) if "/freetown" in path]
    assert Path("results/chengdu/indicators.csv").read_text() == "chengdu indicators v2\n"
    assert not (RESULTS / SNAPSHOT_AREA).exists()
    assert said[0].startswith("Restored results/freetown") and "results/freetown/scorecard.json" in said[0]
    assert said[0].endswith("the failed jobs' logs stay: logs/score_city.log.")
    assert said[1] == "The run of chengdu completed; results/chengdu stays as this run left it."


def test_recover_says_when_a_failed_city_has_no_snapshot(workflow_dir):
    said = []
    job = SimpleNamespace(output=["results/freetown/x.csv"], log=[])
    recover(RESULTS, ["freetown"], final_targets=[], unfinished_jobs=[job], say=said.append)
    assert "no snapshot" in said[0] and Path("results/freetown/indicators.csv").exists()


def test_the_writers_replace_a_file_by_rename_so_a_hard_link_keeps_the_old_one(tmp_path):
    """The hard-link assumption for cbindex's writers: atomic_path never writes into the existing inode."""
    target = write(str(tmp_path / "indicators.csv"), "old\n")
    os.link(target, tmp_path / "snapshot.csv")
    replace(str(target), "new\n")
    assert (tmp_path / "snapshot.csv").read_text() == "old\n" and target.read_text() == "new\n"
