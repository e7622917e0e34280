"""The land-cover benchmark script runs end to end on small crops (``--quick``) and prints its table."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

SCRIPT = REPO / "benchmarks" / "benchmark_landcover.py"
SHARED_DATA = Path(os.environ.get("CBINDEX_SHARED_DATA", REPO.parent / "shared" / "data"))
SHARED_INPUTS = (
    SHARED_DATA / "saotome_worldcover_10m" / "ESA_WorldCover_10m_2020_v100_N00E006_Map.tif",
    SHARED_DATA / "urbanshift_worldcover" / "world_cover_CHN-Chongqing.tif",
    SHARED_DATA / "urbanshift_worldcover" / "admin_boundaries_CHN-Chongqing.geojson",
)


@pytest.mark.smoke
@pytest.mark.skipif(not all(path.exists() for path in SHARED_INPUTS), reason="shared benchmark rasters absent")
def test_quick_benchmark_prints_the_table(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--repeats", "1", "--path", "both", "--workdir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "case task" in result.stdout and "peak MiB" in result.stdout and "Mcells/s" in result.stdout
    assert "FAILED" not in result.stdout
    assert "read-only floor" in result.stdout
    assert "values equal" in result.stdout  # MESH agrees with pylandstats on the quick crops
    # the blockwise path gives the whole-array values on cases 1 and 2
    differences = re.findall(r"vs blockwise: max rel\. diff (\S+)", result.stdout)
    assert len(differences) == 2 and all(float(d) < 1e-9 for d in differences), differences
    assert "values identical to one job" in result.stdout  # case 2 as band jobs plus a merge
