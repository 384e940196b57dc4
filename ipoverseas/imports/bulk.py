"""Run one Core statement over many rows with the driver's executemany.

SQLAlchemy's own executemany builds and processes a parameter dict per row, about
20 µs a row: seconds for 100,000 rows. Here the statement is compiled once for the
connection's dialect, its constant parameters are processed once, and each row is a
plain tuple, processed only where its column type has a bind processor (dates and
decimals on SQLite, JSON on both), by that type's own processor. So the values
stored are the ones SQLAlchemy would store.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Iterable, Sequence

from sqlalchemy import Connection
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
        self.pick = itemgetter(*picks) if len(picks) > 1 else (lambda row, _i=picks[0]: (row[_i],))
        escaped = compiled.escaped_bind_names or {}
        self.keys = None if compiled.positional else [escaped.get(n, n) for n in order]

    def params(self, rows: Iterable[tuple]) -> list:
        constants, pick, process, keys = self.constants, self.pick, self.process, self.keys
        out = []
        for row in rows:
            values = pick(row + constants)
            if process:
                values = list(values)
                for pos, proc in process:
                    values[pos] = proc(values[pos])
                values = tuple(values)
            out.append(values if keys is None else dict(zip(keys, values)))
        return out

    def run(self, rows: Iterable[tuple]) -> int:
        """Execute for every row; the number of rows the database says it touched."""
        params = self.params(rows)
        if not params:
            return 0
        return self.connection.exec_driver_sql(self.sql, params).rowcount
