"""argon2id hashes: salted, verified, weak passwords refused with a Chinese reason."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from accounts.passwords import check_strength, hash_password, needs_rehash, verify_password


@pytest.mark.parametrize("password, reason", [
    ("short1", "至少 8 位"), ("12345678901", "字母"), ("onlyletters", "字母"),
])
def test_weak_passwords_are_refused(password, reason):
    with pytest.raises(ValueError, match=reason):
        check_strength(password)


def test_a_good_password_passes():
    check_strength("Good-pass-1")


def test_hash_is_salted_argon2id_and_verifies_only_the_password():
    first, second = hash_password("Good-pass-1"), hash_password("Good-pass-1")
    assert first.startswith("$argon2id$") and first != second and "Good-pass" not in first
    assert verify_password(first, "Good-pass-1") and verify_password(second, "Good-pass-1")
    assert not verify_password(first, "Good-pass-2")
    assert not verify_password("not a hash", "Good-pass-1")


def test_a_weaker_hash_needs_rehashing():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("Good-pass-1")
    assert needs_rehash(weak) and not needs_rehash(hash_password("Good-pass-1"))
