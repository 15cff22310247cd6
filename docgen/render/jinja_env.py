"""The sandboxed Jinja environments both renderers use: autoescape on, undefined names fail.

Compiled templates are kept in memory per process and, as Python code objects, in docgen's private cache
folder (docgen.cache_dir), keyed by the source, Jinja's and Python's versions and COMPILED_FORMAT: a new
process (``docgen render``) loads them instead of compiling them again (~50 ms for a letter's DOCX parts).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import marshal
import sys
from collections import OrderedDict
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2 import FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from docgen.cache_dir import cache_dir, write_atomically

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
COMPILED_FORMAT = "1"  # bump when the environments' options change what Jinja compiles


def _compiled_cache(kind: str) -> Path | None:
    """The folder for compiled templates of one environment kind, or None when there is no usable one."""
    try:
        return cache_dir(f"jinja-{jinja2.__version__}-{sys.implementation.cache_tag}-{kind}-{COMPILED_FORMAT}")
    except OSError as exc:
        LOG.debug("no cache for compiled templates: %s", exc)
        return None


class _CachingSandbox(SandboxedEnvironment):
    """A sandbox that compiles each distinct template string once (docxtpl re-parses every render):
    in memory for this process, on disk for the next."""

    def __init__(self, kind: str, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: OrderedDict[str, Template] = OrderedDict()
        self._folder = _compiled_cache(kind)

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
            return self.compile(source)
        path = self._folder / f"{hashlib.sha256(source.encode('utf-8')).hexdigest()}.code"
        try:
            code = marshal.loads(path.read_bytes())
            if isinstance(code, CodeType):
                return code
        except (OSError, ValueError, EOFError, TypeError):
            pass  # not compiled yet (or unreadable): compile it
        code = self.compile(source)
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
    return _configure(_CachingSandbox("docx", autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True,
                                      finalize=joined_docx))


@functools.lru_cache(maxsize=8)
def html_environment(template_dir: Path) -> SandboxedEnvironment:
    """Environment for the HTML templates of one template directory."""
    loader = FileSystemLoader(str(template_dir))
    folder = _compiled_cache("html")
    compiled = FileSystemBytecodeCache(str(folder)) if folder is not None else None  # checked against the source
    env = _configure(SandboxedEnvironment(loader=loader, autoescape=True, undefined=StrictUndefined,
                                          finalize=nowrap_html, bytecode_cache=compiled))
    env.filters["plain"] = plain
    env.filters["cell"] = cell_markup  # a table cell breaks only between the pieces its column was fitted to
    return env
