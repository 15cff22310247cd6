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
        raise ConfigurationProblem(f"环境变量 {name} 应为正整数（字节数），现为“{value}”")
    return int(value)


@dataclass(frozen=True)
class Settings:
    """Everything configurable about rendering, independent of the web layer."""

    template_dir: Path = PROJECT_ROOT / "templates"
    sample_dir: Path = PROJECT_ROOT / "samples"
    holiday_dirs: tuple[Path, ...] = ()
    holiday_region: str | None = "xinjiang"
    max_content_length: int = 4 * 1024 * 1024

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
        )
