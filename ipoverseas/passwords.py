"""Passwords: Argon2id hashing, and what a new password must be.

The rule follows NIST SP 800-63B: 8 to 128 characters, no composition rules, and not
one of the most common passwords (the list in `data/common-passwords.txt`). Hashes are
Argon2id with argon2-cffi's current parameters; a login renews a hash made with older
parameters (`needs_rehash`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .config import DATA_DIR

MIN_LENGTH, MAX_LENGTH = 8, 128
COMMON_PASSWORDS_FILE = DATA_DIR / "common-passwords.txt"

_hasher = PasswordHasher()  # Argon2id


def normalize(password: str) -> str:
    """NFKC, so the same password typed on different keyboards/IMEs hashes the same."""
    return unicodedata.normalize("NFKC", password or "")


def hash_password(password: str) -> str:
    return _hasher.hash(normalize(password))


def verify(password_hash: str, password: str) -> bool:
    normalized = normalize(password)
    candidates = [normalized] if normalized == (password or "") else [normalized, password or ""]
    for candidate in candidates:  # the raw text too only when NFKC changed it (a hash from before NFKC)
        try:
            return _hasher.verify(password_hash, candidate)
        except (VerificationError, InvalidHashError):
            continue
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
