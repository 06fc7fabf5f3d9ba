"""One exception tree for footprint. Layers wrap lower-level errors in these, with context; the CLI
maps them to one line and an exit code, the web API to one JSON shape."""

from __future__ import annotations


class FootprintError(Exception):
    """Base of every error footprint raises on purpose."""

    exit_code = 1


class UsageError(FootprintError):
    """The request itself is wrong: a bad option, a missing argument."""

    exit_code = 2


class TooLarge(UsageError):
    """Input over a configured limit: a request body, a fetched file, an image's pixel count."""


class NotFound(FootprintError):
    """A named thing (case, hash set, exhibit, user) does not exist."""

    exit_code = 3


class AlreadyExists(FootprintError):
    """A named thing would be created twice."""

    exit_code = 4


class FormatError(FootprintError):
    """Input (a hash set file, an export, a settings file) is not in the expected format."""

    exit_code = 5


class EvidenceError(FootprintError):
    """Evidence cannot be opened at all, or changed while it was read (integrity failure)."""

    exit_code = 6


class StoreError(FootprintError):
    """The case store failed or is at an unexpected schema version."""

    exit_code = 7


class SignatureError(FootprintError):
    """A signed list failed verification: altered, unsigned, or signed by a key not trusted."""

    exit_code = 8


class AuditError(FootprintError):
    """An audit trail failed verification: an entry was altered, removed or inserted."""

    exit_code = 9


class AccessDenied(FootprintError):
    """The user's role does not allow the action (a case the user is not a member of is NotFound)."""

    exit_code = 10


class ItemError(FootprintError):
    """A problem with one item. Never escapes the pipeline: it becomes an ItemWarning."""


class Interrupted(FootprintError):
    """The run was interrupted; what was done is kept and the same command resumes it."""

    exit_code = 130
