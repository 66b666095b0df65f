"""settings.py is driven by the environment; production values pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x7-production-like-secret-key-with-enough-entropy-0123456789-abcdefghij",
        ALLOWED_HOSTS="reviews.example.org",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "With DEBUG off, SECRET_KEY must be set to a secret of your own" in result.stderr


def test_a_public_key_is_refused_when_debug_is_off():
    # docker-compose.yml's placeholder, and the development key in settings.py
    for public in (
        "change-me",
        "insecure-local-development-key-never-use-in-production-0123456789",
    ):
        result = run_manage("check", DEBUG="0", SECRET_KEY=public, ALLOWED_HOSTS="x.org")
        assert result.returncode != 0, public
        assert "SECRET_KEY must be set to a secret of your own" in result.stderr
