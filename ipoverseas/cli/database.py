"""Commands: migrate, init, demo load|remove, create-user."""

from __future__ import annotations

import getpass
import os

from ipoverseas.core import errors
from ipoverseas.access import policy
from ipoverseas.accounts import creation
from ipoverseas import bootstrap, demo
from ipoverseas.core import db, i18n


def register(sub) -> None:
    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(handler=_migrate)

    p = sub.add_parser("init", help="migrate, and load the demo into an empty embedded database")
    p.set_defaults(handler=_init)

    p = sub.add_parser("demo", help="load or remove the demo content")
    p.add_argument("action", choices=["load", "remove"])
    p.set_defaults(handler=_demo)

    p = sub.add_parser("create-user", help="create an account")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=policy.ROLES)
    p.add_argument("--name", default="", help="display name")
    p.add_argument("--sub-centre", help="sub-centre code (required for staff)")
    p.add_argument("--organisation")
    p.add_argument("--email")
    p.add_argument("--password-env", default="IPOVERSEAS_NEW_PASSWORD",
                   help="read the password from this environment variable; asked for when unset")
    p.set_defaults(handler=_create_user)


def _migrate(args) -> int:
    db.migrate()
    bootstrap.refresh_clocks()  # stored consultation deadlines follow a changed promise or calendar
    bootstrap.refresh_statistics()  # the SQLite planner's statistics follow the data
    print(f"database at revision head: {db.get_engine().url.render_as_string(hide_password=True)}")
    return 0


def _init(args) -> int:
    bootstrap.prepare_database()
    print("database ready" + (" (demo content loaded)" if demo.is_loaded() else ""))
    return 0


def _demo(args) -> int:
    db.migrate()
    counts = demo.load() if args.action == "load" else demo.remove()
    print(", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def _create_user(args) -> int:
    db.migrate()
    password = os.environ.get(args.password_env)
    if password is None:
        password = getpass.getpass("password: ")
        if password != getpass.getpass("again: "):
            print("error: the passwords differ")
            return 1
    try:
        with db.write_session() as session:
            user = creation.add_account(session, username=args.username, password=password, role=args.role,
                                    display_name=args.name, sub_centre_code=args.sub_centre,
                                    organisation=args.organisation, email=args.email)
            print(f"created user {user.username} ({user.role})")
    except errors.Refusal as exc:
        print("error: " + i18n.t(exc.key, "en", **exc.values))
        return 1
    return 0
