"""The speed-ups change nothing in the output, and stay in place.

No wall time is asserted here (scripts/bench.py reports them): these tests check that the layout reuse and the
fast paths give byte-identical PDFs, that the fast DOCX package path writes the same parts as python-docx's own,
that the garbage collector pauses during renders and collects afterwards, and that a DOCX-only process never
loads the PDF engine or Flask.
"""

from __future__ import annotations

import gc
import io
import json
import marshal
import os
import re
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

import docgen.render.docx as docx_render
from docgen.generate import generate
from docgen.render import gc_pause

from conftest import REGISTRY, SAMPLES

ROOT = Path(__file__).resolve().parent.parent


def _streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, inflated: page contents, fonts, images."""
    out = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        raw = pdf[match.end():pdf.find(b"endstream", match.end())]
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def test_layout_reuse_is_installed_on_this_weasyprint():
    """Pinned to the versions it was checked on: after an upgrade this fails until it is checked again."""
    from docgen.render import layout_reuse
    assert layout_reuse.INSTALLED, "WeasyPrint was upgraded: check docgen/render/layout_reuse.py and its versions"


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_layout_reuse_gives_the_same_pdf(sample, monkeypatch):
    from weasyprint.text import line_break

    from docgen.render import layout_reuse
    slug, path = sample
    data = json.loads(path.read_text("utf-8"))
    calls = {"setup": 0}
    patched_setup = line_break.Layout.setup

    def counting(self, style):  # type: ignore[no-untyped-def]
        calls["setup"] += 1
        return patched_setup(self, style)

    monkeypatch.setattr(line_break.Layout, "setup", counting)
    reused = generate(slug, data, ("pdf",)).files["pdf"]
    with_reuse = calls["setup"]
    layout_reuse.uninstall()
    try:
        patched_setup = line_break.Layout.setup
        monkeypatch.setattr(line_break.Layout, "setup", counting)
        calls["setup"] = 0
        plain = generate(slug, data, ("pdf",)).files["pdf"]
    finally:
        monkeypatch.undo()
        layout_reuse.install()
    assert _streams(reused) == _streams(plain), "page content differs with the layout reuse"
    assert with_reuse < calls["setup"], "the reuse did not save a single Pango layout"


def test_fast_paths_are_installed_everywhere_on_this_weasyprint():
    """Pinned to the versions they were checked on; and no WeasyPrint module still calls an original (one
    imported after the install would)."""
    from docgen.render import weasy_fast_paths as fast
    generate("opinion", REGISTRY["opinion"].load_sample(), ("pdf",))
    assert fast.INSTALLED, "WeasyPrint was upgraded: check docgen/render/weasy_fast_paths.py and its versions"
    holding = [name for name, module in sys.modules.items() if name.startswith("weasyprint") and module is not None
               and any(getattr(module, attr, None) is original for attr, original in fast.ORIGINAL.items())]
    assert holding == []


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_fast_paths_give_the_same_pdf(sample):
    from docgen.render import weasy_fast_paths as fast
    slug, path = sample
    data = json.loads(path.read_text("utf-8"))
    patched = generate(slug, data, ("pdf",)).files["pdf"]
    fast.uninstall()
    try:
        plain = generate(slug, data, ("pdf",)).files["pdf"]
    finally:
        fast.install()
    assert _streams(patched) == _streams(plain), "page content differs with the fast paths"


# Every kind of length the fast paths see: percentages of a known and of an automatic height, calc(), auto,
# page margins in percent, box-sizing, collapsed and separate borders, floats, absolute positions.
_LENGTHS_HTML = """<style>
@page { size: 150mm 100mm; margin: 5% 8% 6% 4%; padding: 1%; }
@page :first { margin-top: 10%; }
body { margin: 2% 3%; padding: 1% 2%; font-size: 11pt; line-height: 1.4; }
.a { width: 60%; min-width: 20%; max-width: 90%; margin: 2% auto 1em 5%; padding: 3% 2% 1% 4%;
     border: 2px solid #000; box-sizing: border-box; }
.b { width: calc(50% - 4mm); height: 20%; min-height: 10mm; max-height: 50%; padding: 0.5em 1%;
     box-sizing: padding-box; border: 1pt dashed #333; }
.c { float: right; width: 30%; margin-left: 2%; padding: 2%; }
.d { position: absolute; left: 10%; top: 20%; width: 25%; height: calc(10% + 2mm); border: 1px solid red; }
.e { height: 40mm; } .e > div { height: 50%; min-height: 30%; width: 80%; }
table { border-collapse: collapse; width: 90%; } td { padding: 1% 2%; border: 1px solid #000; width: 30%; }
table.s { border-collapse: separate; border-spacing: 2px; } td.t { height: 5%; }
.f { min-width: auto; min-height: auto; max-width: none; max-height: none; margin: 0 calc(2% + 1mm); }
.g { max-height: 50%; min-height: 5%; border: 1px solid #000; }
</style>
<div class="a">甲 width percentages and auto margins 行政执法监督</div>
<div class="c">浮动 float 30%</div><div class="b">乙 calc and padding-box</div>
<div class="e"><div>丙 a percentage of a fixed height</div></div><div class="d">丁 absolute</div>
<table><tr><td>一</td><td class="t">二</td><td>三</td></tr><tr><td colspan="2">四五</td><td>六</td></tr></table>
<table class="s"><tr><td>七</td><td>八</td></tr></table>
<div class="f">戊 auto and none</div><div class="g">己 max-height of an automatic height</div>""" * 3


def test_fast_paths_give_the_same_pdf_for_every_kind_of_length():
    import weasyprint

    import docgen.render.pdf  # noqa: F401  (installs the fast paths)
    from docgen.render import weasy_fast_paths as fast

    def render() -> bytes:
        return weasyprint.HTML(string=_LENGTHS_HTML).write_pdf()
    patched = render()
    fast.uninstall()
    try:
        plain = render()
    finally:
        fast.install()
    assert _streams(patched) == _streams(plain)


def _without_image_preparation(render: Any) -> bytes:
    from docgen.render import raster_images
    raster_images.uninstall()
    raster_images.clear()
    try:
        return render()
    finally:
        raster_images.reinstall()


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_prepared_images_give_the_same_pdf(sample):
    """Seals converted once and their streams compressed once: the PDF WeasyPrint makes on its own."""
    from docgen.render import raster_images
    from docgen.render.marks import Marks, Verification
    assert raster_images.INSTALLED, "WeasyPrint was upgraded: check docgen/render/raster_images.py and its versions"
    slug, path = sample
    data = json.loads(path.read_text("utf-8"))
    marks = Marks(verification=Verification("HJKLMN2345", "https://docgen.example/verify/HJKLMN2345"))
    generate(slug, data, ("pdf",), marks=marks)  # fills the caches
    prepared = generate(slug, data, ("pdf",), marks=marks).files["pdf"]
    plain = _without_image_preparation(lambda: generate(slug, data, ("pdf",), marks=marks).files["pdf"])
    assert _streams(prepared) == _streams(plain)


def _png(mode: str, **info: Any) -> bytes:
    from PIL import Image, ImageDraw
    image = Image.new("RGBA", (40, 30), (255, 255, 255, 0))
    ImageDraw.Draw(image).ellipse((4, 4, 36, 26), fill=(200, 20, 30, 255))
    if mode == "P":
        image = image.convert("RGB").quantize(colors=4)
    elif mode == "I;16":  # 16-bit grey
        image = image.convert("L").convert("I").convert("I;16")
    elif mode != "RGBA":
        image = image.convert(mode)
    out = io.BytesIO()
    image.save(out, format="PNG", **info)
    return out.getvalue()


def test_prepared_images_of_every_kind_give_the_same_pdf(tmp_path):
    """Palette with and without a transparent colour, 1-bit, grey, grey + alpha, RGB with a transparent colour,
    16-bit grey, RGBA, and an image with EXIF (left alone), at two orientations."""
    import base64

    import weasyprint

    from docgen.render import raster_images
    from docgen.render.fetcher import AssetFetcher
    kinds = [_png("P"), _png("P", transparency=0), _png("1"), _png("L"), _png("LA"), _png("RGB"),
             _png("RGB", transparency=(255, 255, 255)), _png("I;16"), _png("RGBA"), _png("RGBA", exif=b"Exif\x00\x00")]
    images = "".join(f'<img src="data:image/png;base64,{base64.b64encode(k).decode()}" style="width: 20mm">'
                     f'<img src="data:image/png;base64,{base64.b64encode(k).decode()}" '
                     f'style="width: 10mm; image-orientation: 90deg flip">' for k in kinds)

    def render() -> bytes:
        return weasyprint.HTML(string=f"<p>{images}</p>", url_fetcher=AssetFetcher(tmp_path)).write_pdf()
    raster_images.clear()
    before = raster_images.STATS["prepared"]
    render()
    prepared = render()
    assert raster_images.STATS["prepared"] - before == 4  # palette ×2, 1-bit, RGB with a transparent colour: once each
    assert _streams(prepared) == _streams(_without_image_preparation(render))


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {}
        for name in archive.namelist():
            blob = archive.read(name)
            if name.endswith((".xml", ".rels")):
                blob = etree.tostring(etree.fromstring(blob), method="c14n")
            parts[name] = blob
        return parts


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_fast_docx_package_writes_what_python_docx_writes(sample, monkeypatch):
    slug, path = sample
    data = json.loads(path.read_text("utf-8"))
    fast = generate(slug, data, ("docx",)).files["docx"]
    monkeypatch.setattr(docx_render, "open_document", lambda template: docx.Document(str(template)))
    monkeypatch.setattr(docx_render, "save_document", lambda document, stream: document.save(stream))
    standard = generate(slug, data, ("docx",)).files["docx"]
    assert _parts(fast) == _parts(standard)


def test_the_collector_pauses_during_a_render_and_collects_after(monkeypatch):
    seen = []
    original = docx_render._render_docx

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(docx_render, "_render_docx", spy)
    generate("opinion", REGISTRY["opinion"].load_sample(), ("docx",))
    assert seen == [False], "no automatic collection during the render"
    assert gc.isenabled() and gc_pause.owed(), "no one collects later here: the collector is back on"
    assert gc_pause.collect_if_idle() and not gc_pause.owed()


class _Node:
    """A reference cycle (``node.me is node``) that only the collector can reclaim."""

    def __init__(self) -> None:
        self.me = self


def test_collections_after_renders_walk_the_young_and_now_and_then_everything(monkeypatch):
    """A render's cycles are reclaimed by the cheap collection of the young generations; a cycle that became
    garbage after it had grown old is reclaimed by the full collection every FULL_EVERY-th time."""
    import weakref
    if gc_pause._DEADLINE is not None:  # an earlier test's pending deadline must not collect in between
        gc_pause._DEADLINE.cancel()
    monkeypatch.setattr(gc_pause, "_COLLECTIONS", 0)  # earlier tests' collections do not shift the count
    walked = []
    collect = gc.collect
    monkeypatch.setattr(gc_pause.gc, "collect", lambda generation=2: walked.append(generation) or collect(generation))
    gc_pause.collect_now()
    walked.clear()
    old = _Node()
    collect()  # survives: now in the oldest generation
    old_ref = weakref.ref(old)
    del old
    with gc_pause.collections_deferred():
        with gc_pause.paused():
            young = _Node()
            young_ref = weakref.ref(young)
            del young
        assert young_ref() is not None, "nothing collected during the render"
        assert gc_pause.collect_if_idle()
    assert young_ref() is None, "the render's cycle is reclaimed after it"
    assert walked[0] < 2, "by a collection of the young generations, not a walk over every object"
    for _ in range(gc_pause.FULL_EVERY):
        if old_ref() is None:
            break
        gc_pause.collect_now()
    assert old_ref() is None and 2 in walked


def test_a_deferred_collection_runs_anyway_when_no_one_collects(monkeypatch):
    """A response that takes long to go out (a slow client) does not keep the collector off for long."""
    import time
    gc_pause.collect_if_idle()
    monkeypatch.setattr(gc_pause, "DEFER_AT_MOST_S", 0.05)
    with gc_pause.collections_deferred():
        generate("opinion", REGISTRY["opinion"].load_sample(), ("docx",))
        assert not gc.isenabled()
        deadline = time.monotonic() + 10
        while (gc_pause.owed() or not gc.isenabled()) and time.monotonic() < deadline:  # collecting, then on
            time.sleep(0.02)
    assert gc.isenabled() and not gc_pause.owed()


def test_deferred_collections_share_one_deadline():
    import threading
    gc_pause.collect_if_idle()
    before = threading.active_count()
    with gc_pause.collections_deferred():
        for _ in range(20):
            with gc_pause.paused():
                pass
        assert threading.active_count() <= before + 1, "one timer thread, however many renders"
        assert gc_pause.collect_if_idle()


def test_a_render_handed_over_leaves_the_collection_to_its_caller():
    """As in a request: the render returns without a collection; the caller collects once the work is out."""
    gc_pause.collect_if_idle()
    with gc_pause.collections_deferred():
        generate("opinion", REGISTRY["opinion"].load_sample(), ("docx",))
        assert not gc.isenabled() and gc_pause.owed(), "nothing collected before the caller hands the work over"
        assert gc_pause.collect_if_idle()
    assert gc.isenabled() and not gc_pause.owed()


def test_overlapping_renders_still_get_collected(monkeypatch):
    """Renders that never stop overlapping (a busy threaded worker) are collected every so many renders."""
    collected = []
    monkeypatch.setattr(gc_pause, "collect_now", lambda: collected.append(True))
    with gc_pause.paused():  # another render that is always running
        for _ in range(gc_pause.COLLECT_AT_LEAST_EVERY):
            with gc_pause.paused():
                pass
        assert not gc.isenabled()
    assert gc.isenabled() and collected


def test_a_response_is_followed_by_a_collection(authed):
    """As a WSGI server does it: the body is sent, then the response is closed, and then the collector runs."""
    from werkzeug.test import EnvironBuilder
    gc_pause.collect_if_idle()
    builder = EnvironBuilder(path="/api/v1/render/opinion", method="POST", query_string="format=docx",
                             json=REGISTRY["opinion"].load_sample(),
                             headers={"Authorization": authed.environ_base["HTTP_AUTHORIZATION"]})
    statuses = []
    body = authed.application(builder.get_environ(), lambda status, headers, *_: statuses.append(status))
    assert b"".join(body)[:2] == b"PK" and statuses == ["200 OK"]
    assert gc_pause.owed() and not gc.isenabled(), "rendered, not yet collected while the body goes out"
    body.close()
    assert not gc_pause.owed() and gc.isenabled()


def _render_in_new_process(tmp_path: Path, fmt: str, env: dict[str, str] | None = None,
                           probe: tuple[str, ...] = (), report: str = "None") -> Any:
    """Render the opinion sample with ``docgen render`` in a new process; the ``probe`` modules it loaded (and,
    with ``report``, that expression's value in the child as well)."""
    script = (
        "import sys, json\n"
        "from docgen.cli import main\n"
        f"sys.argv = ['docgen', 'render', 'opinion', sys.argv[1], '-o', sys.argv[2], '--format', '{fmt}']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"loaded = sorted(m for m in {list(probe)!r} if m in sys.modules)\n"
        f"print(json.dumps(loaded if {report!r} == 'None' else [loaded, eval({report!r})]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(ROOT / "samples" / "opinion.json"), str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})})
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_docx_only_process_loads_neither_the_pdf_engine_nor_flask(tmp_path):
    probe = ("weasyprint", "flask", "sqlalchemy", "segno", "jsonschema")  # valid data: the quick check passes it
    assert _render_in_new_process(tmp_path, "docx", probe=probe) == []
    assert (tmp_path / "opinion.docx").stat().st_size > 10_000


def test_a_pdf_only_process_loads_no_docx_library_nor_font_tools_it_does_not_use(tmp_path):
    probe = ("docx", "docxtpl", "flask", "segno", "fontTools.varLib.instancer", "fontTools.subset.cff", "jsonschema")
    assert _render_in_new_process(tmp_path, "pdf", probe=probe) == []
    assert (tmp_path / "opinion.pdf").read_bytes()[:5] == b"%PDF-"


_CACHE_USE = ("[type(sys.modules['weasyprint.text.ffi'].ffi).__name__, "
              "sys.modules['docgen.render.jinja_env'].STATS, "
              "type(sys.modules['docgen.titles']._segmenter().FREQ).__name__]")


def test_parsed_declarations_and_compiled_templates_kept_for_the_next_process(tmp_path):
    """A new process with the cache folder filled reads it (and compiles nothing) and renders what a process
    without any cache renders."""
    cache = tmp_path / "cache"
    outputs, uses = {}, {}
    for run, env in (("plain", {"DOCGEN_FFI_CACHE": "off", "DOCGEN_CACHE_DIR": str(tmp_path / "unused")}),
                     ("fills", {"DOCGEN_CACHE_DIR": str(cache)}), ("reads", {"DOCGEN_CACHE_DIR": str(cache)})):
        out = tmp_path / run
        uses[run] = _render_in_new_process(out, "both", env, report=_CACHE_USE)[1]
        outputs[run] = {ext: (out / f"opinion.{ext}").read_bytes() for ext in ("pdf", "docx")}
    folders = sorted(p.name.split("-")[0] + "-" + p.name.split("-")[1] if "-" in p.name else p.name
                     for p in cache.iterdir())
    assert folders == ["ffi", "jinja-docx", "jinja-html", "words"]
    assert len(list((cache / "ffi").glob("*.py"))) == 1
    assert uses["plain"][0] == "FFI" and uses["fills"][0] == uses["reads"][0] == "PreparsedFFI"
    assert uses["fills"][1]["compiled"] > 0
    assert uses["reads"][1] == {"compiled": 0, "loaded": uses["fills"][1]["compiled"]}, "every DOCX part read back"
    for run in ("fills", "reads"):
        assert _streams(outputs[run]["pdf"]) == _streams(outputs["plain"]["pdf"])
        assert _parts(outputs[run]["docx"]) == _parts(outputs["plain"]["docx"])


def test_cache_files_someone_else_may_write_are_never_run(tmp_path):
    """Compiled templates replaced by code that leaves a marker, and made writable by anyone: the next process
    neither runs them nor fails; it compiles afresh and renders the same."""
    import pickle

    from jinja2.bccache import bc_magic
    cache = tmp_path / "cache"
    _render_in_new_process(tmp_path / "first", "both", {"DOCGEN_CACHE_DIR": str(cache)})
    marker = tmp_path / "ran"
    evil = compile(f"open({str(marker)!r}, 'w').close()", "<evil>", "exec")
    for path in cache.rglob("*"):
        if path.suffix == ".code":
            path.write_bytes(marshal.dumps(evil))
        elif path.suffix == ".cache":  # Jinja's bucket: magic, the source's checksum, the code
            data = path.read_bytes()
            checksum = pickle.loads(data[len(bc_magic):])
            path.write_bytes(bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(evil))
        elif path.suffix == ".py":
            path.write_text(path.read_text() + f"\nopen({str(marker)!r}, 'w').close()\n")
        else:
            continue
        path.chmod(0o666)  # writable by anyone
    _render_in_new_process(tmp_path / "second", "both", {"DOCGEN_CACHE_DIR": str(cache)})
    assert not marker.exists()
    first, second = (tmp_path / "first" / "opinion.pdf").read_bytes(), (tmp_path / "second" / "opinion.pdf").read_bytes()
    assert _streams(first) == _streams(second)
    assert _parts((tmp_path / "first" / "opinion.docx").read_bytes()) == _parts(
        (tmp_path / "second" / "opinion.docx").read_bytes())


def test_a_cache_that_cannot_be_used_never_fails_a_render(tmp_path):
    """A cache folder that cannot be made, or one someone else may write: rendered the slow way."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    no_home = {"DOCGEN_CACHE_DIR": "/dev/null/docgen"}  # cannot be made
    plain = _render_in_new_process(tmp_path / "a", "both", {"DOCGEN_CACHE_DIR": str(shared)}, report=_CACHE_USE)[1]
    assert plain[0] == "FFI" and plain[1]["loaded"] == 0 and plain[2] == "dict"
    assert not any(shared.iterdir())
    _render_in_new_process(tmp_path / "b", "both", no_home)
    for run in ("a", "b"):
        assert (tmp_path / run / "opinion.pdf").read_bytes()[:5] == b"%PDF-"


def test_the_cached_declarations_are_data_never_run(tmp_path, monkeypatch):
    """The cached file is read with ast.literal_eval: code put into it does not run."""
    from docgen.render import weasy_ffi
    source = "typedef int gint; gint g_abs (gint x);"
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path))
    folder = tmp_path / "ffi"
    folder.mkdir(mode=0o700)
    ffi = weasy_ffi.load_or_build(source, folder)
    assert ffi.sizeof("gint") == 4
    (path,) = folder.glob("*.py")
    marker = tmp_path / "ran"
    path.write_text(path.read_text() + f"\nopen({str(marker)!r}, 'w').close()\n")
    path.chmod(0o600)
    weasy_ffi.load_or_build(source, folder)
    assert not marker.exists()
    path.write_text(f"import os\nffi = os.system('touch {marker}')\n")
    with pytest.raises(ValueError):
        weasy_ffi._load(path)
    assert weasy_ffi.load_or_build(source, folder).sizeof("gint") == 4  # written again
    assert not marker.exists() and "os.system" not in path.read_text()


def test_warm_up_renders_and_freezes():
    from docgen.warmup import warm_up
    before = gc.get_freeze_count()
    try:
        warm_up()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


# ---------------------------------------------------------------- a long table in two processes

LONG_MONTH = ROOT / "samples" / "disclosure-long.json"


def _month_pdf(**settings_overrides):  # type: ignore[no-untyped-def]
    import dataclasses

    from docgen.config import Settings
    from docgen.generate import prepare
    from docgen.render.pdf import render_pdf_placed
    settings = dataclasses.replace(Settings.from_env(), **settings_overrides)
    doctype, context = prepare("disclosure", json.loads(LONG_MONTH.read_text("utf-8")), settings)
    return render_pdf_placed(doctype.html_template, context, settings)[0]


def _characters(pdf: bytes) -> list[list[tuple[str, float, float, str]]]:
    from readers import open_pdf
    with open_pdf(pdf) as document:
        return [[(c["text"], round(c["x0"], 2), round(c["top"], 2), c["fontname"].split("+")[-1]) for c in page.chars]
                for page in document.pages]


@pytest.fixture(scope="module")
def one_pass_month() -> list:
    return _characters(_month_pdf(table_split=False))


def _spy_split(monkeypatch) -> list:  # type: ignore[no-untyped-def]
    import docgen.render.pdf as pdf_module
    outcomes: list = []
    original = pdf_module.render_split

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = original(*args, **kwargs)
        outcomes.append(result is not None)
        return result

    monkeypatch.setattr(pdf_module, "render_split", spy)
    return outcomes


@pytest.mark.slow
def test_a_long_table_in_two_processes_is_the_one_pass_document(one_pass_month, monkeypatch):
    outcomes = _spy_split(monkeypatch)
    assert _characters(_month_pdf()) == one_pass_month
    assert outcomes == [True], "the month was split"


@pytest.mark.slow
@pytest.mark.parametrize("shift", [-3, 4])
def test_a_wrong_page_prediction_is_caught_and_corrected(one_pass_month, monkeypatch, shift):
    """The predicted row does not open a page: the split moves to a page start the head's layout shows."""
    from docgen.render import table_split
    outcomes = _spy_split(monkeypatch)
    predicted = table_split.predicted_split
    monkeypatch.setattr(table_split, "predicted_split", lambda context: (predicted(context)[0] + shift,
                                                                        predicted(context)[1]))
    assert _characters(_month_pdf()) == one_pass_month
    assert outcomes == [True]


@pytest.mark.slow
def test_a_failing_half_falls_back_to_one_pass(one_pass_month, monkeypatch):
    from docgen.render import table_split
    outcomes = _spy_split(monkeypatch)
    monkeypatch.setattr(table_split, "_join", lambda *args, **kwargs: 1 / 0)
    assert _characters(_month_pdf()) == one_pass_month
    assert outcomes == [False]


@pytest.mark.slow
def test_gunicorn_workers_warm_up_before_their_first_request(tmp_path):
    """gunicorn.conf.py's post_worker_init renders once in every worker and says so in the log."""
    import urllib.request

    from servers import gunicorn
    from test_numbering_concurrency import prepare_database, server_env
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'docgen.sqlite3'}"
    token = prepare_database(url)
    sample = json.dumps(REGISTRY["opinion"].load_sample(), ensure_ascii=False).encode()
    with gunicorn(server_env(url, instance), workers=2, warm=True) as base:
        assert base.log_text().count("warmed up in") == 2
        request = urllib.request.Request(f"{base}/api/v1/render/opinion?format=pdf", data=sample, method="POST",
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200 and response.read().startswith(b"%PDF")


@pytest.mark.slow
def test_the_development_server_warms_up_as_it_starts(tmp_path):
    """make serve (flask run): the process warms up in a thread once it starts, and says so on the console."""
    import urllib.request

    from servers import flask_run
    from test_numbering_concurrency import prepare_database, server_env
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'docgen.sqlite3'}"
    token = prepare_database(url)
    with flask_run(server_env(url, instance)) as base:  # waits for "预热完成" on the console
        sample = json.dumps(REGISTRY["opinion"].load_sample(), ensure_ascii=False).encode()
        request = urllib.request.Request(f"{base}/api/v1/render/opinion?format=pdf", data=sample, method="POST",
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200 and response.read().startswith(b"%PDF")


@pytest.mark.parametrize(("command", "reload", "environ", "warms"), [
    ("run", None, {}, True),  # make serve: flask run
    ("run", None, {"FLASK_DEBUG": "1"}, False),  # --debug: the reloader's watcher, which never serves ...
    ("run", None, {"FLASK_DEBUG": "1", "WERKZEUG_RUN_MAIN": "true"}, True),  # ... but the child it starts does
    ("run", True, {}, False),  # --reload, the watcher
    ("run", False, {"FLASK_DEBUG": "1"}, True),  # --debug --no-reload: one process, it serves
    ("run", None, {"DOCGEN_WARM_UP": "0"}, False),
    ("shell", None, {}, False),  # flask shell, flask routes: no server
    (None, None, {}, False),  # tests, gunicorn (its own hook), anything else that calls the factory
])
def test_only_the_process_flask_run_serves_from_warms_up_in_the_factory(monkeypatch, command, reload, environ,
                                                                        warms):
    import click

    from docgen.warmup import serving_from_flask_cli
    for name in ("FLASK_DEBUG", "WERKZEUG_RUN_MAIN", "DOCGEN_WARM_UP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    if command is None:
        assert serving_from_flask_cli() is warms
        return
    with click.Context(click.Command(command), info_name=command) as context:
        context.params["reload"] = reload
        assert serving_from_flask_cli() is warms


def test_the_warm_up_of_a_serving_process_freezes_only_while_no_render_runs(monkeypatch):
    frozen = []
    monkeypatch.setattr(gc_pause.gc, "freeze", lambda: frozen.append(True))
    with gc_pause.paused():  # a request's render, half-way
        assert not gc_pause.freeze_when_idle(attempts=2, pause_s=0.01) and not frozen
    assert gc_pause.freeze_when_idle(attempts=2, pause_s=0.01) and frozen


def test_rare_hanzi_fonts_load_only_for_a_document_that_needs_them():
    """HanaMin (53 MB) is read when a document has a character the Fandol faces lack, not at start-up."""
    script = (
        "import json, sys\n"
        "from docgen.generate import generate\n"
        "from docgen.doctypes.registry import load_registry\n"
        "import docgen.render.pdf as pdf\n"
        "data = load_registry()['opinion'].load_sample()\n"
        "generate('opinion', data, ('pdf',))\n"
        "before = [s._rare is None for s in pdf._STYLES.values()]\n"
        "data['recipient'] = '昌吉市𠮷祥商贸有限公司'\n"
        "result = generate('opinion', data, ('pdf',)).files['pdf']\n"
        "after = [s._rare is None for s in pdf._STYLES.values()]\n"
        "import io, pdfplumber\n"
        "fonts = {c['fontname'] for p in pdfplumber.open(io.BytesIO(result)).pages for c in p.chars if c['text'] == '𠮷'}\n"
        "print(json.dumps([before, after, any('DocgenRare' in f for f in fonts)]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    before, after, embedded = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == [True] and after == [False] and embedded


def test_a_row_cut_by_a_page_is_not_a_page_start():
    from docgen.render.table_split import _true_starts
    assert _true_starts([{0, 1, 2}, {2, 3, 4}, {5, 6}, {6}]) == [(5, 2)]


def test_a_child_that_does_not_answer_is_killed_and_reaped():
    import time

    from docgen.render.table_split import _collect, _fork
    child = _fork(lambda: time.sleep(30))
    assert child is not None
    started = time.monotonic()
    assert _collect(child, timeout_s=0.5) is None
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(child[0], os.WNOHANG)  # already reaped


def test_a_child_that_raises_answers_none_and_exits():
    from docgen.render.table_split import _collect, _fork
    child = _fork(lambda: 1 / 0)
    assert child is not None and _collect(child) is None


def _a_cache_gives_the_same_pdf(sample: tuple[str, Path], cache: Any, off: Any = None, on: Any = None) -> None:
    """A PDF rendered with ``cache`` (installed, filled by a first render) equals one rendered without it
    (``off()`` … ``on()``: by default its uninstall and install)."""
    from docgen.render import subset_cache
    assert cache.INSTALLED, f"WeasyPrint was upgraded: check {cache.__name__} and its versions"
    slug, path = sample
    data = json.loads(path.read_text("utf-8"))
    (off or cache.uninstall)()
    subset_cache.clear()
    try:
        fresh = generate(slug, data, ("pdf",)).files["pdf"]
    finally:
        (on or cache.install)()
    subset_cache.clear()
    generate(slug, data, ("pdf",))  # fills the cache
    hits = cache.STATS["hits"]
    cached = generate(slug, data, ("pdf",)).files["pdf"]
    assert cache.STATS["hits"] > hits, "the second render took from the cache"
    assert _streams(cached) == _streams(fresh)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_cached_font_subsets_give_the_same_pdf(sample, monkeypatch):
    """A PDF whose fonts come from the subset cache equals one subset afresh (with the same room)."""
    from docgen.render import subset_cache
    _a_cache_gives_the_same_pdf(sample, subset_cache, off=lambda: monkeypatch.setattr(subset_cache, "CACHING", False),
                                on=monkeypatch.undo)


def _issued(code: str, number: int) -> bytes:
    from docgen.render.marks import Marks, Verification
    data = REGISTRY["opinion"].load_sample()
    data["doc_number"]["seq"] = number
    marks = Marks(verification=Verification(code, f"https://docgen.example/verify/{code}"))
    return generate("opinion", data, ("pdf",), marks=marks).files["pdf"]


def test_letters_that_differ_in_number_and_code_share_their_font_subsets():
    from docgen.render import subset_cache
    subset_cache.clear()
    _issued("ABCDEFGH23", 7)
    misses = subset_cache.STATS["misses"]
    _issued("ZYXWVUTS98", 1024)
    assert subset_cache.STATS["misses"] == misses, "the second letter subset a face again"


def test_room_in_a_subset_changes_neither_page_content_nor_text():
    """The extra glyphs only add to the embedded font programs: every character is where and what it was."""
    from docgen.render import subset_cache
    with_room = _issued("QRSTUV2345", 31)
    subset_cache.uninstall()
    subset_cache.clear()
    try:
        plain = _issued("QRSTUV2345", 31)
    finally:
        subset_cache.install()
    assert _characters(with_room) == _characters(plain)
    contents = [s for s in _streams(plain) if b" Tf" in s and b"BT" in s]
    assert contents and all(content in _streams(with_room) for content in contents)
    assert len(with_room) > len(plain)  # the room itself


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_font_files_copied_once_give_the_same_pdf(sample):
    """A PDF whose font bytes come from the per-process copy equals one for which WeasyPrint copied them afresh."""
    from docgen.render import face_bytes
    _a_cache_gives_the_same_pdf(sample, face_bytes)


def test_the_font_copies_stay_within_their_bound(monkeypatch):
    """Beyond MAX_BYTES the least recently used copy is dropped (and its HarfBuzz blob released)."""
    from docgen.render import face_bytes
    slug, path = SAMPLES[0]
    data = json.loads(path.read_text("utf-8"))
    face_bytes.clear()
    monkeypatch.setattr(face_bytes, "MAX_BYTES", 8 * 1024 * 1024)  # room for one Fandol face, not five
    generate(slug, data, ("pdf",))
    assert 0 < face_bytes._SIZE <= face_bytes.MAX_BYTES and len(face_bytes._CACHE) == 1
    face_bytes.clear()
    assert face_bytes._SIZE == 0 and not face_bytes._CACHE


def _raw_streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF as stored (compressed)."""
    return [pdf[m.end():pdf.find(b"endstream", m.end())] for m in re.finditer(rb"stream\r?\n", pdf)]


def test_a_remembered_compression_is_the_same_deflate_stream():
    from docgen.render import stream_compression
    stream_compression.clear()
    data = os.urandom(20_000) * 4  # large enough to be remembered
    fresh = zlib.compressobj(stream_compression.LEVEL)
    expected = fresh.compress(data) + fresh.flush()
    for _ in range(2):
        compressor = stream_compression._compressobj(9)
        assert compressor.compress(data) + compressor.flush() == expected
    assert stream_compression.hits() >= 1
    small = stream_compression._compressobj()
    assert zlib.decompress(small.compress(b"page") + small.flush()) == b"page"


def test_font_subsets_compressed_once_give_the_same_pdf_streams():
    """The second render of a letter takes its compressed fonts from memory: the stored streams are the same."""
    from docgen.render import stream_compression, subset_cache
    slug, path = next((s, p) for s, p in SAMPLES if s == "opinion")
    data = json.loads(path.read_text("utf-8"))
    subset_cache.clear()
    stream_compression.clear()
    first = generate(slug, data, ("pdf",)).files["pdf"]
    hits = stream_compression.hits()
    second = generate(slug, data, ("pdf",)).files["pdf"]
    assert stream_compression.hits() > hits
    assert _raw_streams(first) == _raw_streams(second)


def test_no_home_folder_is_no_cache_folder(monkeypatch):
    from docgen import cache_dir
    monkeypatch.delenv("DOCGEN_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    with pytest.raises(OSError):
        cache_dir.cache_dir("ffi")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")
    with pytest.raises(OSError):
        cache_dir.cache_dir("ffi")


def test_a_forked_child_gets_the_cache_locks_free():
    """A lock held by another thread at the fork is free in the child (the split table's second half)."""
    import threading

    from docgen.render.fork_lock import ForkSafeLock
    lock, held, release = ForkSafeLock(), threading.Event(), threading.Event()

    def holder() -> None:
        with lock:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    pid = os.fork()
    if pid == 0:  # the child: the lock must be free at once
        code = 0
        try:
            acquired = lock._lock.acquire(timeout=2)
            code = 0 if acquired else 3
        finally:
            os._exit(code)
    release.set()
    thread.join()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _fresh_font_configuration() -> None:
    """Forget this process's fonts and stylesheets: the next PDF registers its @font-face rules again."""
    import docgen.render.pdf as pdf
    for styles in pdf._STYLES.values():
        styles.close()
    pdf._STYLES.clear()


def _pdf_with_fonts(slug: str, data: dict[str, Any], in_place: bool) -> tuple[bytes, Any]:
    import docgen.render.pdf as pdf
    from docgen.render import fonts_in_place
    if not in_place:
        fonts_in_place.uninstall()
    _fresh_font_configuration()
    try:
        result = generate(slug, data, ("pdf",)).files["pdf"]
        return result, [styles.font_config._folder for styles in pdf._STYLES.values()]
    finally:
        fonts_in_place.install()
        _fresh_font_configuration()


@pytest.mark.parametrize("sample", [*SAMPLES, ("opinion", ROOT / "samples" / "opinion.json", "昌吉市𠮷祥商贸有限公司")],
                         ids=[*(p.stem for _, p in SAMPLES), "opinion-rare-hanzi"])
def test_bundled_fonts_registered_in_place_give_the_same_pdf(sample):
    """Registered where they lie (nothing copied to a temporary folder), the fonts give WeasyPrint's PDF."""
    from docgen.render import fonts_in_place
    assert fonts_in_place.INSTALLED, "WeasyPrint was upgraded: check docgen/render/fonts_in_place.py"
    slug, path, *recipient = sample
    data = json.loads(path.read_text("utf-8"))
    if recipient:  # a character only the rare-hanzi faces have: their stylesheet is registered too
        data["recipient"] = recipient[0]
    copied, copy_folders = _pdf_with_fonts(slug, data, in_place=False)
    before = fonts_in_place.STATS["in_place"]
    in_place, folders = _pdf_with_fonts(slug, data, in_place=True)
    assert all(copy_folders) and folders == [None], "WeasyPrint copied the fonts; in place nothing was copied"
    assert fonts_in_place.STATS["in_place"] - before >= (7 if recipient else 5)  # five Fandol faces (+ two HanaMin)
    assert in_place == copied


def test_only_a_bundled_font_named_alone_is_registered_in_place(tmp_path):
    from docgen.render.fetcher import AssetFetcher
    from docgen.render.fonts_in_place import in_place_path
    fetcher = AssetFetcher(tmp_path)
    fang = "docgen-asset:fonts/FandolFang-Regular.otf"
    assert in_place_path({"font_family": "F", "src": [("external", fang)]}, fetcher).name == "FandolFang-Regular.otf"
    for rule in ({"font_family": "F", "src": [("external", fang)], "font_weight": "bold"},  # WeasyPrint's rule
                 {"font_family": "F", "src": [("local", "FandolFang")]},
                 {"font_family": "F", "src": [("external", fang), ("external", fang)]},
                 {"font_family": "F", "src": [("external", "docgen-asset:fonts/../../config.py")]},
                 {"font_family": "F", "src": [("external", "docgen-asset:css/gbt9704.css")]},
                 {"font_family": "F", "src": [("external", "file:///etc/passwd")]},
                 {"font_family": "F", "src": [("external", "docgen-asset:fonts/")]},  # the folder itself
                 {"font_family": "F", "src": [("external", "docgen-asset:fonts/LICENSE-Hanazono.txt")]}):
        assert in_place_path(rule, fetcher) is None, rule
    assert in_place_path({"font_family": "F", "src": [("external", fang)]}, object()) is None  # another fetcher

    class WoffFetcher:  # a bundled WOFF2 must be decoded by WeasyPrint, not handed to fontconfig as it is
        @staticmethod
        def bundled_font(url: str) -> Path:
            return tmp_path / "face.woff2"

    assert in_place_path({"font_family": "F", "src": [("external", "docgen-asset:fonts/face.woff2")]},
                        WoffFetcher()) is None


def test_a_lazy_pattern_is_the_compiled_pattern_once_used():
    import re as re_module

    from docgen.lazy_pattern import lazy_compile
    pattern = lazy_compile("(?P<n>[0-9０-９]+)号", re_module.IGNORECASE)
    assert pattern._compiled is None
    text = "〔2026〕12号、第３号"
    assert pattern.sub("#", text) == re_module.sub("(?P<n>[0-9０-９]+)号", "#", text)
    assert [m.group("n") for m in pattern.finditer(text)] == ["12", "３"]
    assert pattern.flags & re_module.IGNORECASE and pattern._compiled is not None


def test_a_letter_never_compiles_the_monthly_notice_patterns(tmp_path):
    """Masking and table measuring patterns are compiled by the documents that use them, not by every start."""
    report = "[sys.modules['docgen.masking']._SHIELDED._compiled is None, 'xml.sax.saxutils' in sys.modules]"
    assert _render_in_new_process(tmp_path, "docx", report=report)[1] == [True, False]


def test_the_zip_writer_writes_what_zipfile_writes():
    """Deflated, stored, remembered and non-ASCII members: byte for byte zipfile's archive of the same members."""
    from docgen.render import zip_writer
    zip_writer.clear()
    hits = zip_writer.hits()
    when = (2026, 11, 27, 9, 30, 58)
    big = os.urandom(1000).hex().encode() * 20  # above REMEMBER_FROM: deflated once, then from memory
    members = {"[Content_Types].xml": b"<Types/>", "word/styles.xml": big, "word/media/image1.png": os.urandom(500),
               "word/图.xml": "<w:t>公文</w:t>".encode()}
    archives = []
    for _ in range(2):
        stream = io.BytesIO()
        writer = zip_writer.ZipWriter(stream, date_time=when)
        for name, data in members.items():
            writer.add(name, data, compress=not name.endswith(".png"), remember=name.endswith("styles.xml"))
        writer.close()
        archives.append(stream.getvalue())
    assert zip_writer.hits() == hits + 1 and archives[0] == archives[1]
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=when)
            info.external_attr = 0o600 << 16
            kind = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compress_type=kind, compresslevel=1)
    assert archives[1] == expected.getvalue()


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_a_docx_written_twice_has_its_template_parts_deflated_once(sample):
    from docgen.render import zip_writer
    slug, path = sample
    data = json.loads(path.read_text("utf-8"))
    zip_writer.clear()
    first = generate(slug, data, ("docx",)).files["docx"]
    hits = zip_writer.hits()
    second = generate(slug, data, ("docx",)).files["docx"]
    assert zip_writer.hits() > hits, "styles.xml came from memory the second time"
    assert _parts(first) == _parts(second)
