"""Errors a user can act on.

Every failure caused by what the user gave us (a file, a flag, a request)
is an ``InputError``: the CLI prints its message on one line and exits 2,
the server answers 4xx with it. Anything else is a bug and may traceback.
"""


class InputError(Exception):
    """Bad input from the user; the message names the input and the problem."""

    def __init__(self, message: str, *, source: str | None = None):
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)
