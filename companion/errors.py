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


class StoreUnavailable(Exception):
    """The data folder cannot be used (read-only, full disk, busy too long).

    Not the user's input, but something they can fix: the CLI prints the one-line
    message and exits 2; the server answers 503 with it and keeps running.
    """
