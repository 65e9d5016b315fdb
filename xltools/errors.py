"""Exceptions that end a command. Everything else a user can get wrong is a finding."""

from xltools.exits import UNREADABLE, USAGE


class UserError(Exception):
    """A problem with what the user asked for, with a Chinese message; exit code 2."""

    exit_code = USAGE


class InputError(UserError):
    """No input could be read at all; exit code 3."""

    exit_code = UNREADABLE
