"""Run one Core statement over many rows: the driver's executemany, or on PostgreSQL a few multi-row statements.

SQLAlchemy's own executemany builds and processes a parameter dict per row, about
20 µs a row: seconds for 100,000 rows. Here the statement is compiled once for the
connection's dialect, its constant parameters are processed once, and each row is a
plain tuple, processed only where its column type has a bind processor (dates and
decimals on SQLite, JSON on both), by that type's own processor. So the values
stored are the ones SQLAlchemy would store.

On PostgreSQL, executemany is still one statement per row, and `cases` has
statement-level triggers (migration 0008) that do their work once per statement. So an
INSERT whose VALUES are one placeholder per column, each cast (if at all) to its
column's own type, is a COPY of every row into those columns (psycopg's `copy`): one
statement, whose triggers see every row at once, and no SQL text to build and parse
per row (issue 16: psycopg's conversion of 1,000-row statements to its protocol cost
more client CPU than the rest of the upload). The server reads each value as the
column's type, as it does the cast parameter. Other statements go in statements of up
to 1,000 rows each (fewer when a row has many
parameters: a statement takes at most 65,535): an INSERT .. VALUES with one
parenthesised row per row, and an UPDATE .. FROM (VALUES ..) AS bulk_rows (..)
WHERE .. whose per-row parameters are read from `bulk_rows`. An UPDATE goes that way
only when its WHERE is a plain AND of comparisons and at least one compares a column
it does not set with a per-row parameter (a key, such as `id`); a chunk in which two
rows share that key runs with executemany. Then each stored row is matched by at most
one row of the batch and the statements change and count the same rows as executemany
(the import's version-checked UPDATE counts short when a row's version moved). Any
other statement shape runs with executemany.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import repeat
from operator import itemgetter
from typing import Any, Iterable, Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable


class Bulk:
    """`stmt`'s bind parameters named in `names` come from each row, in that order; every
    other bind parameter keeps the value it was built with (a constant of the whole batch)."""

    def __init__(self, connection: Connection, stmt: Executable, names: Sequence[str]):
        dialect = connection.dialect
        compiled = stmt.compile(dialect=dialect, for_executemany=True)   # no RETURNING
        self.connection = connection
        self.sql = compiled.string
        processors = compiled._bind_processors   # name -> the type's processor for this dialect
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        order = list(compiled.positiontup) if compiled.positional else list(binds)
        missing = [n for n in names if n not in binds]
        if missing:
            raise ValueError(f"no bind parameter {missing} in {self.sql}")
        where = {n: i for i, n in enumerate(names)}
        # Columns the statement leaves to their Python-side default (or onupdate): SQLAlchemy
        # would compute them per row; here once for the batch (a constant, or one call).
        defaults: dict[str, Any] = {}
        for columns, attr in ((compiled.insert_prefetch, "default"), (compiled.update_prefetch, "onupdate")):
            for column in columns:
                default = getattr(column, attr)
                name = compiled.bind_names.get(compiled.binds.get(column.key), column.key)
                if name not in where:
                    defaults[name] = default.arg if default.is_scalar else default.arg(None)
        constants: list[Any] = []
        picks: list[int] = []
        self.process: list[tuple[int, Any]] = []
        for pos, name in enumerate(order):
            proc = processors.get(name)
            if name in where:
                picks.append(where[name])
                if proc is not None:
                    self.process.append((pos, proc))
            else:
                value = defaults[name] if name in defaults else binds[name].effective_value
                constants.append(proc(value) if proc is not None else value)
                picks.append(len(names) + len(constants) - 1)
        self.constants = tuple(constants)
        self.width, self.picks = len(names), picks
        self.pick = itemgetter(*picks) if len(picks) > 1 else (lambda row, _i=picks[0]: (row[_i],))
        escaped = compiled.escaped_bind_names or {}
        self.keys = None if compiled.positional else [escaped.get(n, n) for n in order]
        self.multi = self.copy = None
        if dialect.name == "postgresql" and self.keys is not None:
            self.copy = _Copy.plan(self.sql, self.keys, getattr(stmt, "table", None), dialect)
            types = {escaped.get(n, n): binds[n].type for n in order}
            self.multi = _MultiRow.plan(self.sql, self.keys, [escaped.get(n, n) for n in names], types, dialect)

    def _values(self, rows: Iterable[tuple]) -> list[tuple]:
        """Each row's parameter values, in the statement's order.

        Column by column: the rows turned into columns, each processed by one `map`, and back
        into rows, all at C speed (a Python step per row cost about 1 s for 100,000 rows)."""
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows or set(map(len, rows)) != {self.width}:
            return self._values_by_row(rows)   # (rows of other widths: as they always went)
        columns = list(zip(*rows))
        n, constants = len(rows), self.constants
        picked = [columns[i] if i < self.width else repeat(constants[i - self.width], n) for i in self.picks]
        for pos, proc in self.process:
            picked[pos] = _processed(proc, picked[pos])
        return list(zip(*picked))

    def _values_by_row(self, rows: list[tuple]) -> list[tuple]:
        constants, pick, process = self.constants, self.pick, self.process
        out = []
        for row in rows:
            values = pick(row + constants)
            if process:
                values = list(values)
                for pos, proc in process:
                    values[pos] = proc(values[pos])
                values = tuple(values)
            out.append(values)
        return out

    def params(self, rows: Iterable[tuple]) -> list:
        """The parameters of an executemany: a tuple per row, or a dict when the driver takes names."""
        return self._params(self._values(rows))

    def _params(self, values: list[tuple]) -> list:
        keys = self.keys
        return values if keys is None else [dict(zip(keys, v)) for v in values]

    def run(self, rows: Iterable[tuple]) -> int:
        """Execute for every row; the number of rows the database says it touched."""
        values = self._values(rows)
        if self.copy is not None and self.copy.takes(values):
            return self.copy.run(self.connection, values)
        if self.multi is None:
            return self.connection.exec_driver_sql(self.sql, self._params(values)).rowcount if values else 0
        multi, total = self.multi, 0
        for i in range(0, len(values), multi.size):
            chunk = values[i:i + multi.size]
            if multi.distinct(chunk):
                total += self._execute(multi.sql(len(chunk)), multi.params(chunk))
            else:
                total += self.connection.exec_driver_sql(self.sql, self._params(chunk)).rowcount
        return total

    def _execute(self, sql: str, params: tuple) -> int:
        try:
            return self.connection.exec_driver_sql(sql, params).rowcount
        except DBAPIError as exc:   # its message (and the log) would quote every row's placeholders
            if exc.statement and len(exc.statement) > 1000:
                exc.statement = f"{exc.statement[:1000]} ... ({len(exc.statement)} characters)"
            raise


# Types whose equal values are the same value to a bind processor (not 1 and 1.0, 0.0 and -0.0,
# or two zoned times of one instant in two zones).
_ONE_VALUE_PER_KEY = {date, bool, int, str, type(None)}


def _processed(proc, column: Sequence) -> list:
    """`proc` over a column: once per distinct value when the column holds one such type (a column
    of dates, flags or blanks has few; each call is Python), else once per cell."""
    kinds = set(map(type, column))
    if kinds <= _ONE_VALUE_PER_KEY and len(kinds - {type(None)}) <= 1:
        memo = {value: proc(value) for value in set(column)}
        return list(map(memo.__getitem__, column))
    return list(map(proc, column))


class _Copy:
    """An INSERT .. VALUES of one placeholder per column, run as COPY table (columns) FROM STDIN."""

    def __init__(self, sql: str, pick, naive: list[int]):
        self.sql, self.pick, self.naive = sql, pick, naive

    @classmethod
    def plan(cls, sql: str, order: list[str], table, dialect) -> "_Copy | None":
        m = _INSERT.fullmatch(sql)
        if m is None or table is None:
            return None
        columns = [c.strip('"') for c in m.group(2).split(", ")]
        cells = [_CELL.fullmatch(cell) for cell in m.group(3).split(", ")]
        at = {name: i for i, name in enumerate(order)}
        if len(cells) != len(columns) or any(c is None or c.group(1) not in at for c in cells):
            return None
        for column, cell in zip(columns, cells):
            if column not in table.c:
                return None
            if cell.group(2) and _TEXT.get(cell.group(2), cell.group(2)) != _base_type(table.c[column].type, dialect):
                return None   # a cast to another type: the server would convert the value
        naive = [at[c.group(1)] for column, c in zip(columns, cells)
                 if _base_type(table.c[column].type, dialect) == "TIMESTAMP WITHOUT TIME ZONE"]
        return cls(f"COPY {m.group(1)} ({m.group(2)}) FROM STDIN", _getter([at[c.group(1)] for c in cells]), naive)

    def takes(self, values: list[tuple]) -> bool:
        """False when a time with a zone goes to a column without one: the parameter's cast converts it
        to the session's zone, COPY would drop the zone. (The app's times are naive UTC.)"""
        return not any(getattr(row[i], "tzinfo", None) is not None for row in values for i in self.naive)

    def run(self, connection: Connection, values: list[tuple]) -> int:
        if not values:
            return 0
        dbapi = connection.dialect.loaded_dbapi
        cursor = connection.connection.dbapi_connection.cursor()
        pick = self.pick
        try:
            with cursor.copy(self.sql) as copy:
                for row in values:
                    copy.write_row(pick(row))
            return cursor.rowcount
        except dbapi.Error as exc:   # as SQLAlchemy reports a failed statement (IntegrityError, ...)
            raise DBAPIError.instance(self.sql, None, exc, dbapi.Error, dialect=connection.dialect) from exc
        finally:
            cursor.close()


def _base_type(type_, dialect) -> str | None:
    try:
        name = re.sub(r"\(.*?\)", "", type_.compile(dialect=dialect)).strip()
    except Exception:   # a type without a name in SQL
        return None
    return _TEXT.get(name, name)


# Unbounded VARCHAR and TEXT hold the same strings (SQLAlchemy casts a Text parameter to VARCHAR).
_TEXT = {"TEXT": "VARCHAR"}


_INSERT = re.compile(r'INSERT INTO ([\w."]+) \(([\w", ]+)\) VALUES \((.+)\)')
_CELL = re.compile(r"%\(([^)]+)\)s(?:::([A-Z][A-Z ]*))?")
_TOKEN = re.compile(r"%%|%\(([^)]+)\)s")   # a named (pyformat) placeholder; %% is a literal %
_ROWS = 1_000                              # rows per multi-row statement
_MAX_PARAMS = 65_535                       # PostgreSQL's limit of parameters per statement
_ALIAS = "bulk_rows"


def _tokens(sql: str) -> list[str]:
    return [m.group(1) for m in _TOKEN.finditer(sql) if m.group(1)]


def _positional(sql: str, replace=None) -> str:
    """`sql` with each named placeholder as %s (or `replace(name)` where that gives text)."""
    def sub(m: re.Match) -> str:
        if not m.group(1):
            return m.group(0)
        out = replace(m.group(1)) if replace else None
        return "%s" if out is None else out
    return _TOKEN.sub(sub, sql)


def _getter(indexes: list[int]):
    if len(indexes) == 1:
        i = indexes[0]
        return lambda values: (values[i],)
    return itemgetter(*indexes)


class _MultiRow:
    """How one compiled statement runs as multi-row statements on PostgreSQL (see the module's docstring)."""

    def __init__(self, head: str, row: str, tail: str, row_params: list[int], before: list[int], after: list[int],
                 key: list[int]):
        self.head, self.row, self.tail = head, row, tail
        self.row_params, self.before, self.after = _getter(row_params), before, after
        self.key = _getter(key) if key else None
        self.size = max(1, min(_ROWS, (_MAX_PARAMS - len(before) - len(after)) // max(len(row_params), 1)))
        self._sql: dict[int, str] = {}

    @classmethod
    def plan(cls, sql: str, order: list[str], per_row: list[str], types: dict, dialect) -> "_MultiRow | None":
        at = {name: i for i, name in enumerate(order)}
        if any(name not in at for name in _tokens(sql)):
            return None
        if sql.startswith("INSERT INTO "):
            return cls._insert(sql, at)
        if sql.startswith("UPDATE "):
            return cls._update(sql, at, per_row, types, dialect)
        return None

    @classmethod
    def _insert(cls, sql: str, at: dict[str, int]) -> "_MultiRow | None":
        head, sep, row = sql.rpartition(" VALUES ")
        if not sep or _tokens(head) or not _one_group(row):
            return None   # INSERT .. SELECT, ON CONFLICT, RETURNING, ...
        return cls(head + " VALUES ", _positional(row), "", [at[n] for n in _tokens(row)], [], [], [])

    @classmethod
    def _update(cls, sql: str, at: dict[str, int], per_row: list[str], types: dict, dialect) -> "_MultiRow | None":
        if sql.count(" WHERE ") != 1 or any(w in sql for w in (" FROM ", " RETURNING ", " OR ", "SELECT ")):
            return None
        set_part, where = sql.split(" WHERE ")
        mine = list(dict.fromkeys(per_row))
        key = []
        for term in where.split(" AND "):
            m = re.fullmatch(r"([\w.\"]+) = %\(([^)]+)\)s(?:::[\w ]+)?", term)
            if m and m.group(2) in mine:
                column = m.group(1).rsplit(".", 1)[-1].strip('"')
                if not re.search(rf'(?: SET |, )"?{re.escape(column)}"?=', set_part):
                    key.append(at[m.group(2)])
        if not key:
            return None
        try:
            casts = [re.sub(r"\(.*?\)", "", types[n].compile(dialect=dialect)) for n in mine]
        except Exception:   # a type without a name in SQL (NullType): leave it to executemany
            return None
        column = {n: f'{_ALIAS}."{n}"' for n in mine}
        head = _positional(set_part, column.get)
        tail = " WHERE " + _positional(where, column.get)
        row = "(" + ", ".join(f"CAST(%s AS {cast})" for cast in casts) + ")"
        alias = f") AS {_ALIAS} (" + ", ".join(f'"{n}"' for n in mine) + ")"
        return cls(head + " FROM (VALUES ", row, alias + tail, [at[n] for n in mine],
                   [at[n] for n in _tokens(set_part) if n not in column],
                   [at[n] for n in _tokens(where) if n not in column], key)

    def sql(self, rows: int) -> str:
        if rows not in self._sql:
            self._sql[rows] = self.head + ", ".join([self.row] * rows) + self.tail
        return self._sql[rows]

    def params(self, chunk: list[tuple]) -> tuple:
        first = chunk[0]
        get = self.row_params
        return (*[first[i] for i in self.before], *[v for values in chunk for v in get(values)],
                *[first[i] for i in self.after])

    def distinct(self, chunk: list[tuple]) -> bool:
        """False when two rows of an UPDATE name the same key: executemany would apply both, in turn."""
        if self.key is None:
            return True
        try:
            return len({self.key(values) for values in chunk}) == len(chunk)
        except TypeError:   # an unhashable value
            return False


def _one_group(text: str) -> bool:
    """True when `text` is one parenthesised group: '(..)' and nothing after it."""
    if not text.startswith("(") or not text.endswith(")"):
        return False
    depth, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
            if depth == 0 and i != len(text) - 1:
                return False
    return depth == 0
