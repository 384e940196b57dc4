"""One family of refusals: every "no" a service says to a user, in the user's language.

A refusal carries an i18n key (the message), the field it concerns (if any) and the values the
message names. The UI shows any of them the same way (`ipoverseas.ui.actions`); a page never
needs to know which service refused.

    Refusal          the base: a request the app will not carry out
      Invalid        bad input: one or more (field, key, values) problems, nothing written
      Denied         the policy forbids it (or the record is not this user's to see)
      NotFound       no such record (or none this user may see)
      Stale          the record changed since the user loaded it: reload and try again
      Busy           the database is busy with another write: try again in a moment
      NotNow         allowed in general, not in the record's present state
"""

from __future__ import annotations

from typing import Any, Iterable, NamedTuple


class Problem(NamedTuple):
    """One thing wrong with the input: the field, an i18n key and the values the message names."""

    field: str | None
    key: str
    values: dict[str, Any]


class Refusal(Exception):
    """A request the app refuses; `key` names the message, `field` the input it concerns."""

    default_key = "errors.refused"

    def __init__(self, key: str | None = None, *, field: str | None = None, **values: Any):
        self.key = key or self.default_key
        self.field = field
        self.values = values
        super().__init__(self.key)

    @property
    def problems(self) -> list[Problem]:
        """Every problem it reports, as (field, key, values)."""
        return [Problem(self.field, self.key, self.values)]


class Invalid(Refusal):
    """Bad input. Holds every problem found at once, so the user can fix them all in one go."""

    default_key = "errors.invalid"

    def __init__(self, problems: Iterable[Problem] | str | None = None, *, field: str | None = None, **values: Any):
        if isinstance(problems, str) or problems is None:
            super().__init__(problems, field=field, **values)
            self._problems = [Problem(self.field, self.key, self.values)]
        else:
            self._problems = [Problem(f, k, dict(v or {})) for f, k, v in problems]
            first_field, first_key, first_values = self._problems[0] if self._problems else (None, None, {})
            super().__init__(first_key, field=first_field, **first_values)

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)


class Denied(Refusal):
    default_key = "errors.denied"


class NotFound(Refusal):
    default_key = "errors.not_found"


class Stale(Refusal):
    default_key = "errors.stale"


class Busy(Refusal):
    default_key = "errors.busy"


class NotNow(Refusal):
    default_key = "errors.not_now"
