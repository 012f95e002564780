"""/accounts: administrators manage the local accounts (placeholder)."""

from dashboard.login import require_role
from dashboard.page import setup

ctx = setup("accounts")
require_role(ctx.account, "admin", ctx.lang)
