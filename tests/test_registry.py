"""Completeness of every registered type: files, schema, sample, templates, both formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import jinja2.meta
import pytest
from docxtpl import DocxTemplate

from docgen.calendar import default_calendar
from docgen.config import Settings
from docgen.doctypes.common import BuildEnv
from docgen.doctypes.registry import DocType, get_doctype, type_modules
from docgen.errors import UnknownDocType
from docgen.render.jinja_env import docx_environment, html_environment

from conftest import REGISTRY, load_json


def test_every_type_module_is_registered():
    assert sorted(m.SLUG for m in type_modules()) == sorted(REGISTRY)
    assert "opinion" in REGISTRY


def test_unknown_type_is_a_clear_error():
    with pytest.raises(UnknownDocType) as info:
        get_doctype("nonexistent")
    assert "opinion" in info.value.message and info.value.http_status == 404


def test_files_exist(doctype: DocType):
    assert doctype.docx_template.is_file()
    assert (Settings().template_dir / "html" / doctype.html_template).is_file()
    assert len(doctype.samples) >= 2, "a typical and a long/edge sample"


def _fields(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}/{name}", sub
        yield from _fields(sub, f"{path}/{name}")
    items = schema.get("items")
    if isinstance(items, dict):
        yield f"{path}/-", items
        yield from _fields(items, f"{path}/-")


def test_schema_fields_have_chinese_title_and_description(doctype: DocType):
    fields = list(_fields(doctype.schema))
    assert fields
    for path, sub in fields:
        assert sub.get("title"), f"{path} has no title"
        assert sub.get("description"), f"{path} has no description"
        assert any("\u4e00" <= c <= "\u9fff" for c in sub["title"]), f"{path} title is not Chinese"


def test_samples_validate(doctype: DocType):
    for path in doctype.samples:
        doctype.validate(load_json(path))


def _context(doctype: DocType) -> dict[str, Any]:
    env = BuildEnv(calendar=default_calendar())
    return doctype.build_context(doctype.validate(doctype.load_sample()), env)


def test_docx_template_uses_only_known_keys(doctype: DocType):
    template = DocxTemplate(str(doctype.docx_template))
    used = template.get_undeclared_template_variables(jinja_env=docx_environment())
    assert used, "the template has no placeholders at all"
    assert used <= set(_context(doctype)), f"unknown keys: {used - set(_context(doctype))}"


def test_html_template_uses_only_known_keys(doctype: DocType):
    env = html_environment(Settings().template_dir / "html")
    used: set[str] = set()
    for name in (doctype.html_template, "base.html"):
        source = env.loader.get_source(env, name)[0]
        used |= jinja2.meta.find_undeclared_variables(env.parse(source))
    assert used <= set(_context(doctype)), f"unknown keys: {used - set(_context(doctype))}"


def test_a_template_typo_fails_loudly(tmp_path: Path, doctype: DocType):
    """StrictUndefined: a misspelt key is an error, never an empty string."""
    from docgen.errors import TemplateProblem
    from docgen.render.pdf import render_html

    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "broken.html").write_text("<p>{{ recipeint }}</p>", encoding="utf-8")
    with pytest.raises(TemplateProblem):
        render_html("broken.html", _context(doctype), Settings(template_dir=tmp_path))


def test_font_coverage_file_matches_the_fonts():
    from docgen import fonts

    assert fonts.covered_codepoints().ranges == fonts.scan_fonts().ranges, "run scripts/build_font_coverage.py"


def test_every_schema_is_valid_against_the_metaschema(doctype: DocType):
    """Checked here rather than at every start-up (docgen.doctypes.validation.make_validator)."""
    from jsonschema import Draft202012Validator
    Draft202012Validator.check_schema(doctype.schema)


@pytest.mark.parametrize("body", ["0-7E\nA0\n", "0-7E\n7F-10\n", "0-7E\n50-60\n", "zz-7E\n"])
def test_a_damaged_coverage_file_is_scanned_again(tmp_path, body):
    from docgen import fonts
    damaged = tmp_path / "coverage.txt"
    damaged.write_text(f"# {fonts.font_signature()}\n{body}", encoding="ascii")
    assert fonts._read_coverage(damaged, lambda: "scanned") == "scanned"
    damaged.write_text(f"# {fonts.font_signature()}\n0-7E\nA0-A0\n", encoding="ascii")
    assert fonts._read_coverage(damaged, lambda: "scanned").ranges == [(0, 0x7E), (0xA0, 0xA0)]
