"""Settings read from the environment (all optional on a laptop).

Every variable is documented in README.md and in config/settings.example.env.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "LTI_TOOL_"


def _env(name: str, environ: Mapping[str, str]) -> str | None:
    value = environ.get(ENV_PREFIX + name)
    return value if value not in (None, "") else None


def load_settings(instance_path: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the Flask config values taken from ``LTI_TOOL_*`` environment variables."""
    environ = os.environ if environ is None else environ
    instance = Path(instance_path)
    database_url = _env("DATABASE_URL", environ) or f"sqlite:///{instance / 'cimp-lti.sqlite3'}"
    return {
        "DATABASE_URL": database_url,
        "BASE_URL": (_env("BASE_URL", environ) or "").rstrip("/") or None,
        "SECRET_KEY": _env("SECRET_KEY", environ) or _kept_secret_key(instance),
        "REDIS_URL": _env("REDIS_URL", environ),
        # Number of reverse proxies whose X-Forwarded-* headers are trusted (0: none).
        "PROXY_COUNT": int(_env("PROXY_COUNT", environ) or 0),
        "UPLOAD_DIR": _env("UPLOAD_DIR", environ) or str(instance / "uploads"),
        "LAUNCH_LEEWAY_SECONDS": int(_env("LAUNCH_LEEWAY_SECONDS", environ) or 45),
        # How long a launch stays usable in the tool's pages (the per-launch token's lifetime).
        "LAUNCH_SESSION_SECONDS": int(_env("LAUNCH_SESSION_SECONDS", environ) or 8 * 3600),
        # Rosters are re-imported after a teacher's launch at most this often (0: never).
        "ROSTER_SYNC_MINUTES": int(_env("ROSTER_SYNC_MINUTES", environ) or 30),
        # Dynamic Registration with platforms on loopback/private addresses (demos and tests only).
        "REGISTRATION_ALLOW_PRIVATE_ADDRESSES": (_env("REGISTRATION_ALLOW_PRIVATE", environ)
                                                 or "0") in ("1", "true", "yes"),
        # Largest evidence file a participant may attach, in bytes (default 10 MiB).
        "EVIDENCE_MAX_BYTES": int(_env("EVIDENCE_MAX_BYTES", environ) or 10 * 1024 * 1024),
        # Jurors' levels further apart than this on a criterion are flagged at deliberation.
        "EVALUATION_DIVERGENCE_LEVELS": int(_env("EVALUATION_DIVERGENCE_LEVELS", environ) or 1),
        "METRICS_TOKEN": _env("METRICS_TOKEN", environ),
        "LOG_FORMAT": _env("LOG_FORMAT", environ) or "json",
        "BABEL_DEFAULT_LOCALE": "fr",
        # Dates shown to people are Belgian dates (stored in UTC).
        "BABEL_DEFAULT_TIMEZONE": _env("TIMEZONE", environ) or "Europe/Brussels",
        "LANGUAGES": ("fr", "en"),
    }


def _kept_secret_key(instance: Path) -> str:
    """Generate the secret key on first run and keep it in the instance folder."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created with owner-only permissions: the key signs every launch token.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
