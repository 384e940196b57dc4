"""The one failure of the backup commands."""


class BackupError(Exception):
    """A backup or restore that did not happen (or did not check out); the message says why."""
