"""The registry of document types: each is a schema module, two templates and samples tied by slug."""

from __future__ import annotations

import functools
import importlib
import json
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from docgen.config import Settings
from docgen.doctypes.common import COMMON_PROPERTIES, LETTERHEAD, BuildEnv, imprint_lines
from docgen.doctypes.letterhead import letterhead_context
from docgen.doctypes.validation import SchemaValidator, character_issues, make_validator, schema_issues
from docgen.errors import InvalidData, UnknownDocType
from docgen.text import clean_data
from docgen.titles import title_lines


class DocType:
    """One document type: slug, Chinese title, JSON Schema, context builder and file locations."""

    def __init__(self, module: ModuleType, settings: Settings) -> None:
        self.slug: str = module.SLUG
        self.title: str = module.TITLE
        self.description: str = module.DESCRIPTION
        self.build: Callable[[dict[str, Any], BuildEnv], dict[str, Any]] = module.build_context
        # A type whose layout has tables estimates its own pages for the synchronous budget (docgen.budget).
        self.estimate_pages: Callable[[dict[str, Any]], int] | None = getattr(module, "estimate_pages", None)
        self.letterhead: str = module.LETTERHEAD  # 文件格式 or 信函格式, unless the data chooses
        self.landscape: bool = getattr(module, "LANDSCAPE", False)  # every page landscape (a table notice)
        self.schema: dict[str, Any] = _full_schema(module)
        self.docx_template: Path = settings.template_dir / "docx" / f"{self.slug}.docx"
        self.html_template: str = f"{self.slug}.html"
        # The typical sample (<slug>.json) first, then variants (<slug>-long.json …).
        typical = settings.sample_dir / f"{self.slug}.json"
        variants = sorted(settings.sample_dir.glob(f"{self.slug}-*.json"))
        self.samples: list[Path] = ([typical] if typical.is_file() else []) + variants

    def __repr__(self) -> str:
        return f"<DocType {self.slug} {self.title}>"

    @functools.cached_property
    def validator(self) -> SchemaValidator:
        """Built on first use: a process that renders one type does not compile the others' schemas."""
        return make_validator(self.schema)

    def validate(self, data: Any) -> dict[str, Any]:
        """Clean control characters, then check schema and printable characters; raise InvalidData."""
        cleaned = clean_data(data)
        issues = schema_issues(self.validator, cleaned)
        if not issues:
            issues = character_issues(cleaned)
        if issues:
            raise InvalidData(issues)
        return cleaned

    def build_context(self, data: dict[str, Any], env: BuildEnv) -> dict[str, Any]:
        """Computed context for the templates (dates, deadlines, 文号, masking)."""
        context = self.build(data, env)
        context["warnings"] = [w.message for w in env.warnings]
        names = (data.get("issuer", {}).get("name", ""), data.get("recipient") or "")
        context["title_lines"] = title_lines(context["title"], names)  # GB/T 9704 7.3.1: whole words, balanced
        context["letterhead"] = letterhead_context(data.get("letterhead", self.letterhead), context["mark_size"],
                                                   landscape=self.landscape, numbered="doc_number" in data)
        context["imprint_page"] = None  # where the 版记 goes is known after layout (docgen.render.pdf)
        context["split"] = None  # a long table laid out in two processes (docgen.render.table_split)
        if context.get("imprint"):  # 信函格式: no 印发机关, 印发日期 or rules; without 抄送, no 版记 at all
            context["imprint"] = imprint_lines(context["imprint"], ruled=context["letterhead"]["imprint_rules"])
        return context

    def load_sample(self, index: int = 0) -> dict[str, Any]:
        """The type's sample data (the first, or the one at ``index``)."""
        return json.loads(self.samples[index].read_text(encoding="utf-8"))


def _full_schema(module: ModuleType) -> dict[str, Any]:
    properties = {**{k: COMMON_PROPERTIES[k] for k in module.COMMON_FIELDS}, **module.PROPERTIES,
                  "letterhead": LETTERHEAD}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:docgen:doctype:{module.SLUG}",
        "title": module.TITLE,
        "description": module.DESCRIPTION,
        "type": "object",
        "properties": properties,
        "required": module.REQUIRED,
        "additionalProperties": False,
    }


def type_modules() -> list[ModuleType]:
    """Every module in docgen.doctypes that defines a document type (has a SLUG)."""
    package = importlib.import_module("docgen.doctypes")
    modules = [importlib.import_module(f"docgen.doctypes.{m.name}") for m in pkgutil.iter_modules(package.__path__)]
    return sorted((m for m in modules if hasattr(m, "SLUG")), key=lambda m: m.SLUG)


@functools.lru_cache(maxsize=8)
def load_registry(settings: Settings | None = None) -> dict[str, DocType]:
    """All document types by slug."""
    settings = settings or Settings.from_env()
    return {t.slug: t for t in (DocType(m, settings) for m in type_modules())}


def get_doctype(slug: str, settings: Settings | None = None) -> DocType:
    """The document type for ``slug``; UnknownDocType if there is none."""
    registry = load_registry(settings)
    if slug not in registry:
        known = "、".join(sorted(registry))
        raise UnknownDocType(f"未知的文书类型“{slug}”，可用类型：{known}")
    return registry[slug]
