"""The one exception type users see: a single sentence naming the file or key and the fix."""


class CBIInputError(ValueError):
    """Bad user input (file, config key, geometry); the message names the culprit and the fix.

    The workflow scripts catch this type and print only its message, without a traceback,
    so the message must stand alone as one sentence.
    """
