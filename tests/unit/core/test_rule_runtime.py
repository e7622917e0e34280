"""run_logged: user errors and defects end the job with one sentence; unexpected errors keep their traceback."""

import logging

import pytest

from cbindex.core.errors import CBIDefectError, CBIInputError
from cbindex.core.rule_runtime import run_logged


def fail(error):
    raise error


@pytest.fixture(autouse=True)
def restore_logging():
    yield
    logging.basicConfig(handlers=[logging.NullHandler()], force=True)


def test_an_input_error_is_one_sentence_and_exit_status_1(tmp_path, capsys):
    log = tmp_path / "rule.log"
    with pytest.raises(SystemExit) as ended:
        run_logged(log, fail, error=CBIInputError("Legend x.yaml misses code 50; add it."))
    assert ended.value.code == 1
    assert "Legend x.yaml misses code 50; add it." in log.read_text(encoding="utf-8")
    assert "Traceback" not in log.read_text(encoding="utf-8") + capsys.readouterr().err


def test_a_defect_keeps_its_traceback_in_the_log_only(tmp_path, capsys):
    log = tmp_path / "rule.log"
    with pytest.raises(SystemExit) as ended:
        run_logged(log, fail, error=CBIDefectError("City x: natural_area exceeds city_area; please report it."))
    assert ended.value.code == 1
    text, console = log.read_text(encoding="utf-8"), capsys.readouterr().err
    assert "Traceback" in text and "natural_area exceeds city_area" in text
    assert "natural_area exceeds city_area" in console and "Traceback" not in console


def test_an_unexpected_error_is_raised_with_its_traceback_logged(tmp_path):
    log = tmp_path / "rule.log"
    with pytest.raises(ZeroDivisionError):
        run_logged(log, fail, error=ZeroDivisionError("division by zero"))
    assert "Unexpected failure" in log.read_text(encoding="utf-8")
