"""Running library code from a Snakemake rule script (logging to the rule's log file, clean user errors) and from
the Snakefile itself (:func:`exit_on_input_error`: a bad configuration or city sheet as one sentence)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cbindex.core.errors import CBIDefectError, CBIInputError

LOGGER = logging.getLogger("cbindex")


def run_logged(log_path: str | Path, function: Callable[..., object], **kwargs: object) -> None:
    """Call ``function(**kwargs)`` with logging to ``log_path`` and stderr.

    A :class:`CBIInputError` ends the process with exit status 1 after writing its one-sentence message
    (no traceback) to the log and stderr. A :class:`CBIDefectError` (a failed internal consistency check) also
    ends it with status 1 and its message on stderr, with the traceback in the log only. Any other exception is
    logged with its traceback and re-raised.
    """
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [
        logging.FileHandler(log_path, mode="w", encoding="utf-8"),
        logging.StreamHandler(sys.stderr),
    ]
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=handlers, force=True
    )
    try:
        function(**kwargs)
    except (CBIInputError, CBIDefectError) as error:
        if isinstance(error, CBIDefectError):  # a defect to report: its traceback goes to the log file only
            handlers[0].emit(
                LOGGER.makeRecord(LOGGER.name, logging.ERROR, __file__, 0, "Traceback", None, sys.exc_info())
            )
        LOGGER.error("%s", error)
        logging.shutdown()
        sys.exit(1)
    except Exception:
        LOGGER.exception("Unexpected failure; please report it with this log.")
        raise


@contextmanager
def exit_on_input_error() -> Iterator[None]:
    """End the process with exit status 1 and only the message on stderr when the block raises
    :class:`CBIInputError`.

    For the Snakefile's own checks (configuration, city sheet) while Snakemake parses it: Snakemake prints an
    exception raised there with its type, file, line and traceback, so the sentence is printed here instead and
    the process leaves with ``SystemExit``, which Snakemake lets through without a word.
    """
    try:
        yield
    except CBIInputError as error:
        print(error, file=sys.stderr, flush=True)
        raise SystemExit(1) from None
