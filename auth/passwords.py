"""Password hashing (argon2id) and the password policy. Passwords are never stored or logged."""

from __future__ import annotations

import contextlib
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from auth.errors import PasswordPolicyError

MIN_LENGTH = 10
# Long enough for any passphrase; caps the cost an attacker can make one login spend.
MAX_LENGTH = 1024

# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile (t=3, 64 MiB, p=4).
_hasher = PasswordHasher()


def check_policy(password: str, username: str | None = None) -> None:
    """Raise PasswordPolicyError when ``password`` is too short, too long, blank or the username."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(
            f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
            f"The password must have at least {MIN_LENGTH} characters.",
        )
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(
            f"Mật khẩu dài quá {MAX_LENGTH} ký tự.",
            f"The password is longer than {MAX_LENGTH} characters.",
        )
    if not password.strip():
        raise PasswordPolicyError("Mật khẩu không được chỉ gồm khoảng trắng.", "The password cannot be only spaces.")
    if username and password.strip().casefold() == username.strip().casefold():
        raise PasswordPolicyError(
            "Mật khẩu không được trùng tên đăng nhập.", "The password cannot be the same as the username."
        )


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted; the encoded string holds the parameters)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for a mismatch or a malformed hash."""
    if not password_hash:
        # Spend the same time as a real check so a missing hash cannot be told apart.
        _verify_dummy(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's: rehash at the next login."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password-only-for-timing")


def _verify_dummy(password: str) -> None:
    """Check ``password`` against a throw-away hash: unknown users cost as much time as known ones."""
    # The point is the time spent, never the answer.
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(), password)
