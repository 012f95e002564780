"""Errors of the trust layer, each explained in Vietnamese and English."""

from __future__ import annotations


class AuthError(Exception):
    """A login, account or permission problem explained to the user in both languages."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en

    def message(self, lang: str) -> str:
        """The message in ``lang`` ('vi' or 'en')."""
        return self.message_en if lang == "en" else self.message_vi


class LoginFailed(AuthError):
    """Unknown user or wrong password: one message for both, so usernames cannot be probed."""

    def __init__(self) -> None:
        super().__init__(
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            "Wrong username or password.",
        )


class LoginThrottled(AuthError):
    """Too many failed logins for this name or from this client: wait. The same words for known and unknown names."""

    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"Có quá nhiều lần đăng nhập không thành công. Vui lòng thử lại sau {minutes} phút, "
            "hoặc liên hệ quản trị viên.",
            f"Too many failed login attempts. Please try again in {minutes} min, or contact an administrator.",
        )
        self.minutes = minutes


class AccountDisabled(AuthError):
    """The account exists but an administrator has disabled it."""

    def __init__(self) -> None:
        super().__init__(
            "Tài khoản đã bị vô hiệu hóa. Liên hệ quản trị viên.",
            "This account is disabled. Contact an administrator.",
        )


class PasswordPolicyError(AuthError):
    """A new password that does not meet the policy."""


class AccountError(AuthError):
    """An account command that cannot be carried out as given (unknown account, bad role, ...)."""


class PermissionDenied(AuthError):
    """The account's role does not allow the action."""
