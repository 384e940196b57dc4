"""Passwords: Argon2id hashing, and what a new password must be.

The rule follows NIST SP 800-63B: 8 to 128 characters, no composition rules, and not
one of the most common passwords (the list in `data/common-passwords.txt`). Hashes are
Argon2id with argon2-cffi's current parameters; a login renews a hash made with older
parameters (`needs_rehash`).

Temporary passwords the system generates (`new_temporary`: 16 characters drawn at
random from 32, i.e. 80 bits) are hashed with a light Argon2id profile. `new_temporary`
makes the password and its light hash together, and is the only way to get a light hash:
no function hashes a string of the caller's choosing lightly. Key stretching buys time
against guessing *human* passwords; against 80 random bits it adds nothing that matters
(2^79 guesses at a trillion a second is about 19,000 years), and it is what made bulk
creation slow (0.15-0.6 s a row). Such a hash is never kept for long: the account must
change its password at the first login, and the login rehashes it with the full parameters
anyway (`needs_rehash`). A wrong password against a light hash still costs a full-cost
check, so timing does not single out the accounts that still hold a temporary password.
A temporary password also expires (`auth.temporary_password_expiry`), and a single sign-on
makes it unusable (`UNUSABLE`).
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ipoverseas.core.config import DATA_DIR

MIN_LENGTH, MAX_LENGTH = 8, 128
COMMON_PASSWORDS_FILE = DATA_DIR / "common-passwords.txt"

_hasher = PasswordHasher()  # Argon2id
# For generated 80-bit temporary passwords only (see the module doc): 1-3 ms instead of 150-600 ms.
_temporary_hasher = PasswordHasher(time_cost=1, memory_cost=2 * 1024, parallelism=1)
_TEMPORARY_PREFIX = "$argon2id$v=19$m=2048,t=1,p=1$"
TEMPORARY_ALPHABET = "".join(c for c in "abcdefghijklmnopqrstuvwxyz23456789" if c not in "lo")  # 32 symbols
# A stored "hash" no password matches (not an Argon2 string): the account has no usable password.
UNUSABLE = "!no-password"


def normalize(password: str) -> str:
    """NFKC, so the same password typed on different keyboards/IMEs hashes the same."""
    return unicodedata.normalize("NFKC", password or "")


def hash_password(password: str) -> str:
    return _hasher.hash(normalize(password))


class Temporary(NamedTuple):
    """A generated temporary password and its light hash (see `new_temporary`)."""

    password: str
    hash: str


def new_temporary() -> Temporary:
    """A new temporary password, 4 groups of 4 symbols from 32 (no l/1/o/0): 80 random bits;
    with its light hash, made here from the password drawn here and nothing else."""
    password = "-".join("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4))
    return Temporary(password, _temporary_hasher.hash(password))


def verify(password_hash: str, password: str) -> bool:
    if (password_hash or "").startswith(UNUSABLE):
        dummy_verify(password)  # as long as a real check
        return False
    normalized = normalize(password)
    candidates = [normalized] if normalized == (password or "") else [normalized, password or ""]
    for candidate in candidates:  # the raw text too only when NFKC changed it (a hash from before NFKC)
        try:
            return _hasher.verify(password_hash, candidate)
        except (VerificationError, InvalidHashError):
            continue
    if (password_hash or "").startswith(_TEMPORARY_PREFIX):
        dummy_verify(password)  # a light hash must not answer faster than a real one
    return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def problem(password: str, *, username: str | None = None) -> str | None:
    """The i18n key saying what is wrong with a new password, or None when it is fine."""
    password = normalize(password)
    if len(password) < MIN_LENGTH:
        return "password.too_short"
    if len(password) > MAX_LENGTH:
        return "password.too_long"
    lowered = password.lower()
    if lowered in common_passwords():
        return "password.too_common"
    if username and lowered == normalize(username).strip().lower():
        return "password.same_as_username"
    return None


_DUMMY_HASH: str | None = None


def dummy_verify(password: str) -> None:
    """Spend the time of a real check, so timing does not reveal which usernames exist."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not a real password")
    verify(_DUMMY_HASH, password)
