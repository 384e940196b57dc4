"""Password rules and hashing."""

import pytest

from ipoverseas.accounts import passwords


def test_the_common_list_is_shipped_and_large():
    common = passwords.common_passwords()
    assert len(common) > 5000
    assert {"password", "12345678", "qwertyuiop", "iloveyou1"} <= common
    assert "ipoverseas-demo" not in common


@pytest.mark.parametrize("password,key", [
    ("", "password.too_short"),
    ("1234567", "password.too_short"),
    ("x" * 129, "password.too_long"),
    ("password", "password.too_common"),
    ("PassWord123", "password.too_common"),     # case does not help
    ("ＰＡＳＳＷＯＲＤ", "password.too_common"),  # nor full-width letters (NFKC)
    ("qwertyuiop", "password.too_common"),
])
def test_weak_passwords_are_refused(password, key):
    assert passwords.problem(password) == key


@pytest.mark.parametrize("password", ["12345 and a sentence", "x" * 128, "短句也是好密码吗", "abcdefgh-not-common!"])
def test_no_composition_rules(password):
    assert passwords.problem(password) is None


def test_same_as_username_refused():
    assert passwords.problem("zhang.san.2026", username="Zhang.San.2026") == "password.same_as_username"


def test_hash_is_argon2id_verifies_and_knows_when_to_rehash():
    from argon2 import PasswordHasher

    h = passwords.hash_password("a long sentence")
    assert h.startswith("$argon2id$")
    assert passwords.verify(h, "a long sentence")
    assert not passwords.verify(h, "a long sentenc")
    assert not passwords.verify("not a hash", "a long sentence")
    assert not passwords.needs_rehash(h)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("a long sentence")
    assert passwords.needs_rehash(weak)
    assert passwords.needs_rehash("garbage")
