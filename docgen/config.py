"""Settings: defaults here, overridden by DOCGEN_* environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
ARCHIVE_BACKENDS = ("local", "database")  # docgen.store.archive.open_storage builds each


def _paths(value: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in value.split(os.pathsep) if p)


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    """An integer setting; ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` is not)."""
    value = env.get(name, str(default)).strip()
    if not re.fullmatch(r"[0-9]{1,9}", value) or int(value) < minimum:
        from docgen.errors import ConfigurationProblem
        raise ConfigurationProblem(f"环境变量 {name} 应为不小于 {minimum} 的整数，现为“{value}”")
    return int(value)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value not in ("1", "0", "true", "false", "on", "off", "yes", "no"):
        from docgen.errors import ConfigurationProblem
        raise ConfigurationProblem(f"环境变量 {name} 应为 on/off，现为“{value}”")
    return value in ("1", "true", "on", "yes")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (case-insensitive); unset or empty means ``default``."""
    given = env.get(name, "").strip()
    value = given.lower() or default
    if value not in choices:
        from docgen.errors import ConfigurationProblem
        raise ConfigurationProblem(f"环境变量 {name} 应为 {' 或 '.join(choices)}，现为“{given}”")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable about rendering, independent of the web layer."""

    template_dir: Path = PROJECT_ROOT / "templates"
    sample_dir: Path = PROJECT_ROOT / "samples"
    holiday_dirs: tuple[Path, ...] = ()
    holiday_region: str | None = "xinjiang"
    max_content_length: int = 4 * 1024 * 1024
    instance_dir: Path = PROJECT_ROOT / "instance"
    database_url: str = ""  # empty: SQLite in the instance folder
    archive_dir: Path | None = None  # None: <instance>/archive
    archive_backend: str = "local"  # local: files in archive_dir; database: rows of the service's database
    public_url: str = "http://127.0.0.1:8000"  # printed in issued PDFs for /verify links
    page_size: int = 20
    # Hardening: leases, budgets, windows, timeouts, limits.
    pending_timeout_s: int = 300  # lease of a document being rendered; a retry may take it over after this
    sync_max_pages: int = 80  # estimated PDF pages a synchronous request may render
    table_split: bool = True  # lay a long table out in two processes at once (docgen.render.table_split)
    issue_date_past_days: int = 30  # how far before today an issued document may be dated
    issue_date_future_days: int = 7  # how far after today
    db_timeout_s: int = 10  # connect, statement and lock timeouts of the database
    redis_url: str = ""  # shared rate-limit storage; empty: in-process memory
    broker_url: str = ""  # Celery broker for background jobs; empty: jobs run in the service processes
    job_threads: int = 1  # background job threads per service process (embedded mode)
    job_quota: int = 3  # unfinished background jobs one caller may have
    batch_processes: int = 0  # processes rendering a monthly batch in-process; 0: one per core
    batch_max_upload: int = 64 * 1024 * 1024  # largest export a batch upload may be
    batch_keep_days: int = 90  # a run that is no longer its month's result is purged this long after it ended
    rate_limits: bool = True
    rate_limit_preview: str = "60/minute"
    rate_limit_issue: str = "120/minute"
    rate_limit_default: str = "600/minute"
    rate_limit_public: str = "60/minute"  # per address, for pages anyone may open (/verify)
    proxy_count: int = 0  # reverse proxies in front whose X-Forwarded-For may be trusted
    # The clerks' workspace.
    session_hours: int = 8  # a sign-in lasts this long, however busy the user is (fixed, not sliding)
    secret_key: str = ""  # signs CSRF tokens; empty: generated once into <instance>/secret_key
    cookie_secure: bool = False  # send the session cookie over HTTPS only (set behind a TLS proxy)
    rate_limit_login: str = "20/minute"  # sign-in attempts per address
    # Reminders of supervision deadlines (docgen.cases.reminders).
    smtp_host: str = ""  # empty: reminders are listed and recorded, never e-mailed
    smtp_port: int = 25
    smtp_from: str = "docgen@localhost"
    reminder_to: str = ""  # the 司法局's address: the daily digest of every reminder
    unit_emails_file: Path | None = None  # JSON object, unit name → address; units not in it get no e-mail

    @property
    def effective_database_url(self) -> str:
        """DOCGEN_DATABASE_URL, or the SQLite file in the instance folder."""
        return self.database_url or f"sqlite:///{self.instance_dir / 'docgen.sqlite3'}"

    @property
    def effective_archive_dir(self) -> Path:
        """Where generated files are stored by their SHA-256."""
        return self.archive_dir or self.instance_dir / "archive"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from DOCGEN_* variables (DOCGEN_TEMPLATE_DIR, DOCGEN_HOLIDAY_DIRS, …)."""
        env = os.environ if environ is None else environ
        defaults = cls()
        region = env.get("DOCGEN_HOLIDAY_REGION", defaults.holiday_region or "")
        return cls(
            template_dir=Path(env.get("DOCGEN_TEMPLATE_DIR", defaults.template_dir)),
            sample_dir=Path(env.get("DOCGEN_SAMPLE_DIR", defaults.sample_dir)),
            holiday_dirs=_paths(env.get("DOCGEN_HOLIDAY_DIRS", "")),
            holiday_region=region or None,
            max_content_length=_int(env, "DOCGEN_MAX_CONTENT_LENGTH", defaults.max_content_length),
            instance_dir=Path(env.get("DOCGEN_INSTANCE_DIR", defaults.instance_dir)),
            database_url=env.get("DOCGEN_DATABASE_URL", ""),
            archive_dir=Path(env["DOCGEN_ARCHIVE_DIR"]) if env.get("DOCGEN_ARCHIVE_DIR") else None,
            archive_backend=_choice(env, "DOCGEN_ARCHIVE_BACKEND", defaults.archive_backend, ARCHIVE_BACKENDS),
            public_url=env.get("DOCGEN_PUBLIC_URL", defaults.public_url).rstrip("/"),
            page_size=_int(env, "DOCGEN_PAGE_SIZE", defaults.page_size),
            pending_timeout_s=_int(env, "DOCGEN_PENDING_TIMEOUT_S", defaults.pending_timeout_s),
            sync_max_pages=_int(env, "DOCGEN_SYNC_MAX_PAGES", defaults.sync_max_pages),
            table_split=_flag(env, "DOCGEN_TABLE_SPLIT", defaults.table_split),
            issue_date_past_days=_int(env, "DOCGEN_ISSUE_DATE_PAST_DAYS", defaults.issue_date_past_days, 0),
            issue_date_future_days=_int(env, "DOCGEN_ISSUE_DATE_FUTURE_DAYS", defaults.issue_date_future_days, 0),
            db_timeout_s=_int(env, "DOCGEN_DB_TIMEOUT_S", defaults.db_timeout_s),
            redis_url=env.get("DOCGEN_REDIS_URL", ""),
            broker_url=env.get("DOCGEN_BROKER_URL", ""),
            job_threads=_int(env, "DOCGEN_JOB_THREADS", defaults.job_threads, 0),
            job_quota=_int(env, "DOCGEN_JOB_QUOTA", defaults.job_quota),
            batch_processes=_int(env, "DOCGEN_BATCH_PROCESSES", defaults.batch_processes, 0),
            batch_max_upload=_int(env, "DOCGEN_BATCH_MAX_UPLOAD", defaults.batch_max_upload),
            batch_keep_days=_int(env, "DOCGEN_BATCH_KEEP_DAYS", defaults.batch_keep_days, 0),
            rate_limits=_flag(env, "DOCGEN_RATE_LIMITS", defaults.rate_limits),
            rate_limit_preview=env.get("DOCGEN_RATE_LIMIT_PREVIEW", defaults.rate_limit_preview),
            rate_limit_issue=env.get("DOCGEN_RATE_LIMIT_ISSUE", defaults.rate_limit_issue),
            rate_limit_default=env.get("DOCGEN_RATE_LIMIT_DEFAULT", defaults.rate_limit_default),
            rate_limit_public=env.get("DOCGEN_RATE_LIMIT_PUBLIC", defaults.rate_limit_public),
            proxy_count=_int(env, "DOCGEN_PROXY_COUNT", defaults.proxy_count, 0),
            session_hours=_int(env, "DOCGEN_SESSION_HOURS", defaults.session_hours),
            secret_key=env.get("DOCGEN_SECRET_KEY", ""),
            cookie_secure=_flag(env, "DOCGEN_COOKIE_SECURE", defaults.cookie_secure),
            rate_limit_login=env.get("DOCGEN_RATE_LIMIT_LOGIN", defaults.rate_limit_login),
            smtp_host=env.get("DOCGEN_SMTP_HOST", "").strip(),
            smtp_port=_int(env, "DOCGEN_SMTP_PORT", defaults.smtp_port),
            smtp_from=env.get("DOCGEN_SMTP_FROM", "").strip() or defaults.smtp_from,
            reminder_to=env.get("DOCGEN_REMINDER_TO", "").strip(),
            unit_emails_file=Path(env["DOCGEN_UNIT_EMAILS"]) if env.get("DOCGEN_UNIT_EMAILS") else None,
        )
