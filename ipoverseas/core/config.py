"""One registry of settings.

Each setting has a name, a default and a line of help. A value comes from, in order:
the environment variable `IPOVERSEAS_<NAME>`, the `[ipoverseas]` table of
`.streamlit/secrets.toml`, then the default. The README's configuration table is
checked against this registry by a test.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _number(value: Any) -> int | float:
    """A whole number stays an int; a fraction (e.g. 0.1 minutes in a test) is a float."""
    number = float(value)
    return int(number) if number.is_integer() else number


def _zone_name(value: Any) -> str:
    name = str(value).strip()
    ZoneInfo(name)   # an unknown name is refused here, naming the setting's value
    return name


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = str

    @property
    def env_var(self) -> str:
        return "IPOVERSEAS_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "sqlite:///data/ipoverseas.db",
            "SQLAlchemy URL of the shared database. A relative SQLite path is relative to the project folder. "
            "PostgreSQL: postgresql+psycopg://user@host/dbname"),
    Setting("load_demo", True,
            "Load the demo content into an empty database at start-up.", _bool),
    Setting("default_language", "auto",
            "UI language when the user has not chosen one: zh, en, or auto (follow the browser).",),
    Setting("time_zone", "Asia/Shanghai",
            "Time zone of every time shown and of the dates the clocks count (\"today\", a deadline's day): "
            "an IANA name. The database stores UTC.", _zone_name),
    Setting("consultation_promise_days", 3,
            "Working days within which a consultation must be answered.", int),
    Setting("duty_soon_days", 3,
            "A sub-centre's report counts as due soon, and its reminder goes out, this many working days before it is due.",
            int),
    Setting("transfer_accept_days", 2,
            "Working days within which a sub-centre must accept or refuse a dispute the national centre "
            "transfers to it.", _number),
    Setting("upload_max_mb", 20,
            "Largest upload accepted, in megabytes.", int),
    Setting("upload_max_rows", 200_000,
            "Most data rows accepted in one uploaded sheet.", int),
    Setting("upload_max_cell_chars", 20_000,
            "Longest text accepted in one uploaded cell.", int),
    Setting("pg_work_mem", "64MB",
            "PostgreSQL: memory per sort, hash or bitmap of the app's queries (work_mem). At the server's default (4MB) a search "
            "for a term in most of a million cases loses its exact bitmap and rechecks every row: 139 s instead "
            "of 1.7 s."),
    Setting("page_size", 50,
            "Rows per page in paginated tables.", int),
    Setting("facet_exact_hits", 100_000,
            "A text search matching more cases than this shows its facet counts as estimates (≈), "
            "counted over a sample of about 25,000 of them; narrower searches are counted exactly "
            "(PostgreSQL decides by its planner's estimate of the hits).", int),
    Setting("lockout_attempts", 5,
            "Wrong passwords in a row (at the login, or as the current password on the change-password "
            "form) that lock an account.", int),
    Setting("lockout_minutes", 15,
            "How long a locked account stays locked.", int),
    Setting("temporary_password_days", 7,
            "Days a temporary password (a new account's, or one an admin reset) stays usable; after that "
            "the password login refuses it and an admin must reset it.", _number),
    Setting("session_idle_minutes", 30,
            "A login session ends after this many minutes without any interaction.", _number),
    Setting("session_max_hours", 8,
            "A login session never lasts longer than this many hours, however active.", _number),
    Setting("alert_routing_top_n", 3,
            "A new risk alert about an industry is routed to the sub-centres of this many provinces: those "
            "whose enterprises have the most cases of that industry in the case library.", int),
    Setting("duplicate_window_days", 3,
            "Two reports of a dispute without the same docket number are a possible duplicate when their "
            "filing dates are at most this many days apart (and country, dispute type and parties match).", int),
    Setting("duplicate_party_score", 85,
            "The least similarity (0-100, rapidfuzz token set ratio) of the parties' names for a near match.",
            _number),
    Setting("smtp_host", "", "SMTP server for notification emails; empty (the default) sends no email."),
    Setting("smtp_port", 587, "SMTP port.", int),
    Setting("smtp_user", "", "SMTP login user; empty for no login."),
    Setting("smtp_password", "", "SMTP password (keep it in .streamlit/secrets.toml)."),
    Setting("smtp_from", "ipoverseas@localhost", "Sender address of notification emails."),
    Setting("smtp_starttls", True, "Use STARTTLS with the SMTP server.", _bool),
    Setting("public_alert_feed", False,
            "Serve the Atom feed of published risk alerts (/feeds/alerts.atom) without a login. Off (the default): "
            "the feed needs a signed-in session cookie and answers 404 without one.", _bool),
    Setting("log_level", "INFO",
            "Server log level: DEBUG, INFO, WARNING or ERROR."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@lru_cache(maxsize=1)
def _secrets() -> dict[str, Any]:
    if not SECRETS_FILE.exists():
        return {}
    with SECRETS_FILE.open("rb") as fh:
        return tomllib.load(fh).get("ipoverseas", {})


def get(name: str) -> Any:
    """Return the current value of a setting, parsed to its type."""
    setting = _BY_NAME[name]
    raw = os.environ.get(setting.env_var)
    if raw is None:
        raw = _secrets().get(name, setting.default)
    return setting.parse(raw)


def database_url() -> str:
    """The database URL, with a relative SQLite path anchored at the project folder."""
    url = get("database_url")
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        url = prefix + str(PROJECT_ROOT / url[len(prefix):])
    return url
