"""WeasyPrint's C declarations parsed once per installation, not at every start.

WeasyPrint declares Pango, HarfBuzz, fontconfig and GLib to cffi as C source
(``ffi.cdef``) when it is imported; cffi parses it with pycparser (~70 ms), and
each C type WeasyPrint later names in ``ffi.new`` is parsed again with all the
declarations (~2.5 ms each, ~45 ms in a first PDF). A long-running worker pays
that once; a ``docgen render`` command pays it every time.

cffi's out-of-line ABI mode keeps the parsed declarations as data. The first
start writes them (``ffi.emit_python_code``) into a per-user cache folder, keyed
by the declarations, cffi's and Python's versions; later starts read the data
back without running any of it (``ast.literal_eval``) and build the same FFI
from it in ~3 ms. While WeasyPrint is imported, ``cffi.FFI()`` called by
``weasyprint.text.ffi`` gets a stand-in whose one ``cdef`` loads that FFI and
then offers its methods as its own; every other caller gets cffi's own class.
The declarations docgen's own patches need are kept with them (an out-of-line
FFI cannot take a second ``cdef``). Anything unexpected (a second ``cdef``, an unwritable folder, a file owned by
someone else) falls back to cffi's own parsing.

The folder is docgen.cache_dir's; DOCGEN_FFI_CACHE=off turns this off.
"""

from __future__ import annotations

import ast
import io
import contextlib
import hashlib
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import cffi

from docgen.cache_dir import cache_dir, read_private, write_atomically

LOG = logging.getLogger(__name__)
FORMAT = "1"  # bump when the file's contents change meaning
DECLARING_MODULE = "weasyprint.text.ffi"
DYNAMIC = frozenset({"errno"})  # properties read afresh each time, never copied
# Declarations docgen's own patches call (docgen.render.layout_reuse, subset_cache), kept with WeasyPrint's.
DOCGEN_DECLARATIONS = {
    "pango_attr_list_copy": "PangoAttrList * pango_attr_list_copy (PangoAttrList *list);",
    "hb_font_get_nominal_glyph":
        "hb_bool_t hb_font_get_nominal_glyph (hb_font_t *font, hb_codepoint_t unicode, hb_codepoint_t *glyph);",
    "hb_font_create": "hb_font_t * hb_font_create (hb_face_t *face);",
    "hb_font_destroy": "void hb_font_destroy (hb_font_t *font);",
}


def enabled() -> bool:
    return os.environ.get("DOCGEN_FFI_CACHE", "on").strip().lower() not in {"off", "0", "no", "false"}


class PreparsedFFI:
    """The FFI ``weasyprint.text.ffi`` builds: its ``cdef`` loads the declarations parsed at an earlier start."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._real: Any = None

    def cdef(self, source: str, **options: Any) -> None:
        if self._real is not None or options:
            raise RuntimeError("only one plain cdef is cached")  # the import is retried with cffi's own FFI
        extra = "".join(f"\n{line}" for name, line in DOCGEN_DECLARATIONS.items() if name not in source)
        self._real = load_or_build(source + extra, self._directory)
        for name in dir(self._real):
            if not name.startswith("__") and name not in DYNAMIC:
                setattr(self, name, getattr(self._real, name))  # plain attributes: no lookup cost per call

    def __getattr__(self, name: str) -> Any:
        real = self.__dict__.get("_real")
        if real is None:
            raise AttributeError(name)
        return getattr(real, name)


def load_or_build(source: str, directory: Path) -> Any:
    """The out-of-line FFI of ``source`` from the cache, written there first when missing."""
    key = hashlib.sha256("\0".join((FORMAT, cffi.__version__, sys.version, source)).encode()).hexdigest()[:24]
    module = f"_docgen_weasyprint_ffi_{key}"
    path = directory / f"{module}.py"
    if path.is_file():
        try:
            return _load(path)
        except (ValueError, SyntaxError, TypeError, OSError) as exc:  # damaged or not safely ours: written again
            LOG.warning("cffi declarations in %s unreadable (%s): parsing them again", path, exc)
    _build(source, module, directory, path)
    return _load(path)


def _build(source: str, module: str, directory: Path, path: Path) -> None:
    builder = cffi.FFI()
    builder.cdef(source)
    builder.set_source(module, None)
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        emitted = Path(scratch) / "ffi.py"
        with contextlib.redirect_stdout(io.StringIO()):  # cffi prints "generating …"
            builder.emit_python_code(str(emitted))
        write_atomically(path, emitted.read_bytes())


def _load(path: Path) -> Any:
    """Build the FFI from the file's literals only (nothing in it runs), after checking who may write it."""
    import _cffi_backend

    tree = ast.parse(read_private(path).decode("utf-8"))
    calls = [node.value for node in tree.body
             if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
             and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["ffi"]]
    if len(calls) != 1 or ast.unparse(calls[0].func) != "_cffi_backend.FFI":
        raise ValueError(f"{path} is not a file of cffi declarations")
    args = [ast.literal_eval(arg) for arg in calls[0].args]
    kwargs = {keyword.arg: ast.literal_eval(keyword.value) for keyword in calls[0].keywords if keyword.arg}
    if "_types" not in kwargs or not isinstance(kwargs["_types"], bytes):
        raise ValueError(f"{path} is not a file of cffi declarations")
    return _cffi_backend.FFI(*args, **kwargs)


@contextlib.contextmanager
def preparsed() -> Iterator[None]:
    """While WeasyPrint is imported: its ``cffi.FFI()`` is a PreparsedFFI (when enabled)."""
    if not enabled():
        yield
        return
    original = cffi.FFI
    directory = cache_dir("ffi")

    def factory(*args: Any, **kwargs: Any) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__")
        if caller == DECLARING_MODULE and not args and not kwargs:
            return PreparsedFFI(directory)
        return original(*args, **kwargs)

    cffi.FFI = factory  # type: ignore[misc]
    try:
        yield
    finally:
        cffi.FFI = original  # type: ignore[misc]
