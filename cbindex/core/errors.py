"""The exception types users see: a single sentence naming the file or key and the fix, or naming a defect."""


class CBIInputError(ValueError):
    """Bad user input (file, config key, geometry); the message names the culprit and the fix.

    The workflow scripts catch this type and print only its message, without a traceback,
    so the message must stand alone as one sentence.
    """


class CBIDefectError(RuntimeError):
    """An internal consistency check failed: a defect of the workflow, never a result to score.

    Raised before scoring when computed values contradict each other (e.g. natural area larger than the city).
    The workflow scripts print the message (which says to report it) and stop the city, without a traceback
    on the console; the full traceback goes to the rule's log.
    """
