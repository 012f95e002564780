"""Deployment settings: the upload size limit in .streamlit/config.toml, the [auth] keys of the secrets example."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import settings

CONFIG = settings.ROOT / ".streamlit" / "config.toml"
SECRETS_EXAMPLE = settings.ROOT / ".streamlit" / "secrets.toml.example"
AUTH_KEYS = {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"}


def test_upload_size_limit_is_set_and_sane():
    server = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]
    limit = server["maxUploadSize"]  # MB; Streamlit's default is 200
    assert isinstance(limit, int) and not isinstance(limit, bool)
    assert 1 <= limit <= 200, limit


def test_streamlit_reads_the_limit_from_the_repository(tmp_path):
    """The value Streamlit itself reads when started from the repository root (as `streamlit run app.py` is)."""
    expected = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]["maxUploadSize"]
    done = subprocess.run(
        [sys.executable, "-c", "from streamlit import config; print(config.get_option('server.maxUploadSize'))"],
        cwd=settings.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1]) == expected


def test_secrets_example_has_the_auth_keys_with_placeholders():
    secrets = tomllib.loads(SECRETS_EXAMPLE.read_text(encoding="utf-8"))
    auth = secrets["auth"]
    assert set(auth) >= AUTH_KEYS, AUTH_KEYS - set(auth)
    assert auth["redirect_uri"].endswith("/oauth2callback")
    assert auth["server_metadata_url"].startswith("https://") and "openid-configuration" in auth["server_metadata_url"]
    for key in ("cookie_secret", "client_id", "client_secret"):
        assert "REPLACE" in auth[key].upper(), f"{key} looks like a real secret in a committed file"
    assert isinstance(secrets.get("app", {}).get("require_login", True), bool)


def test_real_secrets_are_not_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=settings.ROOT, capture_output=True
    )
    assert ignored.returncode == 0, ".streamlit/secrets.toml is not git-ignored"
    tracked = subprocess.run(
        ["git", "ls-files", ".streamlit/secrets.toml"], cwd=settings.ROOT, capture_output=True, text=True
    )
    assert tracked.stdout.strip() == ""


def test_streamlit_does_not_collect_garbage_after_every_run():
    """A full collection after each run stalls every session of the process (see .streamlit/config.toml)."""
    runner = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["runner"]
    assert runner["postScriptGC"] is False
