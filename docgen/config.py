"""Settings: defaults here, overridden by DOCGEN_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def _paths(value: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in value.split(os.pathsep) if p)


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, str(default))
    if not value.isdigit() or int(value) <= 0:
        from docgen.errors import ConfigurationProblem
        raise ConfigurationProblem(f"环境变量 {name} 应为正整数，现为“{value}”")
    return int(value)


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
    public_url: str = "http://127.0.0.1:8000"  # printed in issued PDFs for /verify links
    page_size: int = 20

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
            max_content_length=_positive_int(env, "DOCGEN_MAX_CONTENT_LENGTH", defaults.max_content_length),
            instance_dir=Path(env.get("DOCGEN_INSTANCE_DIR", defaults.instance_dir)),
            database_url=env.get("DOCGEN_DATABASE_URL", ""),
            archive_dir=Path(env["DOCGEN_ARCHIVE_DIR"]) if env.get("DOCGEN_ARCHIVE_DIR") else None,
            public_url=env.get("DOCGEN_PUBLIC_URL", defaults.public_url).rstrip("/"),
            page_size=_positive_int(env, "DOCGEN_PAGE_SIZE", defaults.page_size),
        )
