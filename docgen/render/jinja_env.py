"""The sandboxed Jinja environments both renderers use: autoescape on, undefined names fail.

Compiled templates are kept in memory per process and, as Python code objects, in docgen's private cache
folder (docgen.cache_dir), keyed by the source and a fingerprint of what else the compiled code depends on
(Jinja's and Python's versions, the filters' modules and kinds, finalize, the options): a new process
(``docgen render``) loads them instead of compiling them again (~50 ms for a letter's DOCX parts).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import logging
import marshal
import sys
from collections import OrderedDict
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2 import FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, Template
from jinja2.bccache import Bucket
from jinja2.sandbox import SandboxedEnvironment

from docgen.cache_dir import cache_dir, read_private, write_atomically

from docgen.filters import FILTERS
from docgen.doctypes.table_fit import cell_markup
from docgen.render.keep_together import joined_docx, nowrap_html, plain


def png_data_uri(data: bytes) -> str:
    """An inline data URI for PNG bytes (the only images the HTML embeds)."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def char_twips(chars: float) -> int:
    """Body characters (3号, 16 pt) to twentieths of a point, for DOCX indents."""
    return int(round(chars * 320))


LOG = logging.getLogger(__name__)
STATS = {"compiled": 0, "loaded": 0}  # DOCX parts compiled here / read back from the cache folder


def _fingerprint(env: SandboxedEnvironment, kind: str) -> str:
    """A digest of everything besides a template's source that its compiled code depends on: the filters
    (constant arguments are filtered at compile time, and each filter's context-passing is compiled in) and
    whatever they call (every docgen source file, by size and time; the other filters' modules likewise),
    finalize, the environment's options, Jinja's and Python's versions."""
    digest = hashlib.sha256(f"{jinja2.__version__}\0{sys.implementation.cache_tag}\0{kind}".encode())
    functions = [*sorted(env.filters.items()), ("finalize", env.finalize)]
    digest.update(_docgen_sources().encode())
    for module in sorted({getattr(function, "__module__", None) or "" for _, function in functions}):
        source = getattr(sys.modules.get(module), "__file__", None)
        if source and not module.startswith("docgen"):
            info = Path(source).stat()
            digest.update(f"{source}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    for name, function in functions:
        digest.update(f"{name}:{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}:"
                      f"{getattr(function, 'jinja_pass_arg', None)}".encode())
    options = (env.autoescape, env.keep_trailing_newline, env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
               env.block_start_string, env.variable_start_string, type(env).__mro__[1].__name__)
    digest.update(repr(options).encode())
    return digest.hexdigest()[:20]


@functools.lru_cache(maxsize=1)
def _docgen_sources() -> str:
    """Every docgen source file with its size and time (read once per process, for both environments)."""
    package = Path(__file__).resolve().parent.parent
    return "".join(f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}\n" for path in sorted(package.rglob("*.py")))


def _compiled_cache(env: SandboxedEnvironment, kind: str) -> Path | None:
    """The folder for compiled templates of this environment, or None when there is no usable one."""
    try:
        return cache_dir(f"jinja-{kind}-{_fingerprint(env, kind)}")
    except OSError as exc:
        LOG.debug("no cache for compiled templates: %s", exc)
        return None


class _PrivateBytecodeCache(FileSystemBytecodeCache):
    """Jinja's bytecode cache, reading only files of this user that no one else may write (docgen.cache_dir);
    a damaged file is a miss and a failed write is only logged: the cache never fails a render."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = read_private(Path(self._get_cache_filename(bucket)))
        except OSError:
            return
        try:
            bucket.load_bytecode(io.BytesIO(data))
        except Exception:  # noqa: BLE001  (a damaged file: compile again)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        out = io.BytesIO()
        bucket.write_bytecode(out)
        try:
            write_atomically(Path(self._get_cache_filename(bucket)), out.getvalue())
        except OSError as exc:
            LOG.debug("compiled template not kept: %s", exc)


class _CachingSandbox(SandboxedEnvironment):
    """A sandbox that compiles each distinct template string once (docxtpl re-parses every render):
    in memory for this process, on disk for the next (once ``keep_compiled`` named the folder)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: OrderedDict[str, Template] = OrderedDict()
        self._folder: Path | None = None

    def keep_compiled(self, kind: str) -> None:
        """Keep compiled code in the cache folder (call after the filters are set: they are part of the key)."""
        self._folder = _compiled_cache(self, kind)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            template = self.template_class.from_code(self, self._code(source), self.make_globals(None), None)
            self._compiled[source] = template
            while len(self._compiled) > 64:
                self._compiled.popitem(last=False)
        return template

    def _code(self, source: str) -> CodeType:
        if self._folder is None:
            STATS["compiled"] += 1
            return self.compile(source)
        path = self._folder / f"{hashlib.sha256(source.encode('utf-8')).hexdigest()}.code"
        try:
            code = marshal.loads(read_private(path))
            if isinstance(code, CodeType):
                STATS["loaded"] += 1
                return code
        except (OSError, ValueError, EOFError, TypeError):
            pass  # not compiled yet, damaged, or not safely ours: compile it
        code = self.compile(source)
        STATS["compiled"] += 1
        try:
            write_atomically(path, marshal.dumps(code))
        except OSError as exc:
            LOG.debug("compiled template not kept: %s", exc)
        return code


def _configure(env: SandboxedEnvironment) -> SandboxedEnvironment:
    env.filters.update(FILTERS)
    env.filters["png_data_uri"] = png_data_uri
    env.filters["char_twips"] = char_twips
    return env


@functools.lru_cache(maxsize=1)
def docx_environment() -> SandboxedEnvironment:
    """Environment for DOCX XML (docxtpl): autoescaped so data never breaks the XML."""
    env = _configure(_CachingSandbox(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True,
                                     finalize=joined_docx))
    env.keep_compiled("docx")
    return env


@functools.lru_cache(maxsize=8)
def html_environment(template_dir: Path) -> SandboxedEnvironment:
    """Environment for the HTML templates of one template directory (compiled templates kept on disk, each
    checked against its source by Jinja)."""
    loader = FileSystemLoader(str(template_dir))
    env = _configure(SandboxedEnvironment(loader=loader, autoescape=True, undefined=StrictUndefined,
                                          finalize=nowrap_html))
    env.filters["plain"] = plain
    env.filters["cell"] = cell_markup  # a table cell breaks only between the pieces its column was fitted to
    folder = _compiled_cache(env, "html")
    if folder is not None:
        env.bytecode_cache = _PrivateBytecodeCache(str(folder))
    return env
