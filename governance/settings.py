"""The one reader of the environment: every setting the service takes, with its default."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(data_dir: Path, given: str | None) -> str:
    # The embedded default keeps a generated key beside its data, so it survives restarts without
    # ever being a constant or being committed.
    if given:
        return given
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _storage_kind(value: str | None) -> str:
    kind = (value or "local").strip().lower()
    if kind not in {"local", "s3"}:
        raise ValueError(f"STORAGE must be local or s3, not {value!r}")
    return kind


def clock_start() -> str:
    """GOVERNANCE_CLOCK: the moment the service's clock starts from (governance/clock.py), read
    before any Settings exist so that a test module's import-time dates follow it too."""
    return os.environ.get("GOVERNANCE_CLOCK", "").strip()


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    base_url: str = "http://127.0.0.1:8000"
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    cookie_secure: bool = True
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "adoption-panel@localhost"
    login_attempts: int = 5
    lockout_minutes: int = 15
    argon2_cheap: bool = False
    upload_limit_mb: int = 25
    # How large or complex a paper may be to be opened at all (panel.safety.SafetyLimits).
    paper_max_pages: int = 2000
    paper_max_objects: int = 500_000
    paper_max_stream_mb: int = 256
    paper_worker_memory_mb: int = 1536
    paper_worker_cpu_seconds: int = 60
    scheduler: bool = True
    db_pool: bool = True
    storage: str = "local"
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    backup_dir: Path | None = None
    backup_daily: bool = True
    # Build the PDF packs in the background after publication and each change (panel.agenda).
    pack_build_ahead: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def backups(self) -> Path:
        """Where the daily backups go: BACKUP_DIR, or backups/ beside the embedded database."""
        return self.backup_dir or self.data_dir / "backups"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("GOVERNANCE_DATA_DIR") or ROOT / "var").resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'governance.sqlite'}"
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=_secret_key(data_dir, env.get("SECRET_KEY")),
            base_url=env.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            session_idle_minutes=int(env.get("SESSION_IDLE_MINUTES", "30")),
            session_max_hours=int(env.get("SESSION_MAX_HOURS", "12")),
            cookie_secure=_flag(env.get("COOKIE_SECURE"), True),
            smtp_host=env.get("SMTP_HOST", "127.0.0.1"),
            smtp_port=int(env.get("SMTP_PORT", "25")),
            smtp_username=env.get("SMTP_USERNAME") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_starttls=_flag(env.get("SMTP_STARTTLS"), False),
            mail_from=env.get("MAIL_FROM", "adoption-panel@localhost"),
            login_attempts=int(env.get("LOGIN_ATTEMPTS", "5")),
            lockout_minutes=int(env.get("LOCKOUT_MINUTES", "15")),
            argon2_cheap=_flag(env.get("ARGON2_CHEAP"), False),
            upload_limit_mb=int(env.get("UPLOAD_LIMIT_MB", "25")),
            paper_max_pages=int(env.get("PAPER_MAX_PAGES", "2000")),
            paper_max_objects=int(env.get("PAPER_MAX_OBJECTS", "500000")),
            paper_max_stream_mb=int(env.get("PAPER_MAX_STREAM_MB", "256")),
            paper_worker_memory_mb=int(env.get("PAPER_WORKER_MEMORY_MB", "1536")),
            paper_worker_cpu_seconds=int(env.get("PAPER_WORKER_CPU_SECONDS", "60")),
            scheduler=_flag(env.get("SCHEDULER"), True),
            db_pool=_flag(env.get("DB_POOL"), True),
            storage=_storage_kind(env.get("STORAGE")),
            s3_bucket=env.get("S3_BUCKET", ""),
            s3_prefix=env.get("S3_PREFIX", ""),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL", ""),
            s3_region=env.get("S3_REGION", ""),
            s3_access_key=env.get("S3_ACCESS_KEY_ID", ""),
            s3_secret_key=env.get("S3_SECRET_ACCESS_KEY", ""),
            backup_dir=Path(env["BACKUP_DIR"]).resolve() if env.get("BACKUP_DIR") else None,
            backup_daily=_flag(env.get("BACKUP_DAILY"), True),
            pack_build_ahead=_flag(env.get("PACK_BUILD_AHEAD"), True),
        )
