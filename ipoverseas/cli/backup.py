"""Commands: backup DEST, restore SRC [--force] (ipoverseas/ops/backup.py)."""

from __future__ import annotations

from ipoverseas.ops import backup as ops_backup, summary


def register(sub) -> None:
    p = sub.add_parser("backup", help="back up the database while the app runs (a file, or a folder for a dated file)")
    p.add_argument("dest", help="the backup file to write, or an existing folder to write a dated one in")
    p.set_defaults(handler=_backup)

    p = sub.add_parser("restore", help="restore a backup into the configured database, and check it")
    p.add_argument("src", help="a file written by `backup` (its manifest SRC.json beside it is the check)")
    p.add_argument("--force", action="store_true", help="replace a database that is not empty")
    p.set_defaults(handler=_restore)


def _backup(args) -> int:
    try:
        taken = ops_backup.backup(args.dest)
    except ops_backup.BackupError as exc:
        print(f"error: {exc}")
        return 1
    print(f"backup written: {taken.path} ({taken.path.stat().st_size} bytes, {taken.seconds:.1f} s)")
    print(f"manifest: {taken.manifest}")
    print(f"contains: {summary.describe(taken.figures)}")
    return 0


def _restore(args) -> int:
    try:
        done = ops_backup.restore(args.src, force=args.force)
    except ops_backup.BackupError as exc:
        print(f"error: {exc}")
        return 1
    what = "replaced the database that was there (--force)" if done.replaced else "into an empty database"
    print(f"restored {done.source} into {done.target}, {what}, in {done.seconds:.1f} s")
    print(f"restored database: {summary.describe(done.found)}")
    if done.expected is None:
        print("not checked: no manifest beside the backup (" + str(ops_backup.manifest_path(done.source)) + ")")
        return 1
    if done.differences:
        print("CHECK FAILED: the restored database differs from the backup's manifest:")
        for line in done.differences:
            print("  " + line)
        return 1
    tables = len(done.found["tables"])
    print(f"check passed: row counts of {tables} tables, the case totals tables, the audit trail "
          f"({done.found['audit']['count']} events, last id {done.found['audit']['last_id']}) and the "
          f"migration revision {done.found['revision']} match the backup")
    print("restart the app processes now (they cache by the database's revision counter); they migrate a "
          "backup from an older version at start-up")
    return 0
