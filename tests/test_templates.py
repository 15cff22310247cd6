"""The committed DOCX templates: reproducible from their script, schema-valid XML, strict placeholders."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx.oxml.ns import qn
from lxml import etree

from docgen.errors import TemplateProblem
from docgen.render.docx import render_docx

from conftest import REGISTRY, rendered

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from docx_xml import PPR_ORDER, RPR_ORDER  # noqa: E402

CONTENT_PARTS = ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml", "word/settings.xml")


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name in CONTENT_PARTS}


@pytest.mark.slow
def test_templates_match_their_build_script(tmp_path: Path):
    """Editing a template by hand is allowed, but then the script must be updated too: they never drift apart."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_docx_templates.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for doctype in REGISTRY.values():
        built = (tmp_path / doctype.docx_template.name).read_bytes()
        assert _parts(built) == _parts(doctype.docx_template.read_bytes()), f"{doctype.slug}: run make templates"


def test_rendered_docx_properties_are_in_schema_order(sample):
    _, path = sample
    for name, xml in _parts(rendered(path).files["docx"]).items():
        root = etree.fromstring(xml)
        for tag, order in ((qn("w:pPr"), PPR_ORDER), (qn("w:rPr"), RPR_ORDER)):
            rank = {qn(f"w:{n}"): i for i, n in enumerate(order)}
            for props in root.iter(tag):
                ranks = [rank[child.tag] for child in props if child.tag in rank]
                assert ranks == sorted(ranks), f"{name}: {[c.tag for c in props]}"


def test_a_docx_template_typo_fails_loudly(tmp_path: Path):
    source = REGISTRY["opinion"].docx_template.read_bytes()
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(broken, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ recipient }}", b"{{ recipeint }}")
            copy.writestr(item, data)
    from docgen.generate import prepare
    _, context = prepare("opinion", REGISTRY["opinion"].load_sample())
    with pytest.raises(TemplateProblem) as info:
        render_docx(broken, context)
    assert "recipeint" in info.value.message
