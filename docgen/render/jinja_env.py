"""The sandboxed Jinja environments both renderers use: autoescape on, undefined names fail."""

from __future__ import annotations

import base64
import functools
from collections import OrderedDict
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from docgen.filters import FILTERS
from docgen.doctypes.table_fit import cell_markup
from docgen.render.keep_together import joined_docx, nowrap_html, plain


def png_data_uri(data: bytes) -> str:
    """An inline data URI for PNG bytes (the only images the HTML embeds)."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def char_twips(chars: float) -> int:
    """Body characters (3号, 16 pt) to twentieths of a point, for DOCX indents."""
    return int(round(chars * 320))


class _CachingSandbox(SandboxedEnvironment):
    """A sandbox that compiles each distinct template string once (docxtpl re-parses every render)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: OrderedDict[str, Template] = OrderedDict()

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            template = super().from_string(source)
            self._compiled[source] = template
            while len(self._compiled) > 64:
                self._compiled.popitem(last=False)
        return template


def _configure(env: SandboxedEnvironment) -> SandboxedEnvironment:
    env.filters.update(FILTERS)
    env.filters["png_data_uri"] = png_data_uri
    env.filters["char_twips"] = char_twips
    return env


@functools.lru_cache(maxsize=1)
def docx_environment() -> SandboxedEnvironment:
    """Environment for DOCX XML (docxtpl): autoescaped so data never breaks the XML."""
    return _configure(_CachingSandbox(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True,
                                      finalize=joined_docx))


@functools.lru_cache(maxsize=8)
def html_environment(template_dir: Path) -> SandboxedEnvironment:
    """Environment for the HTML templates of one template directory."""
    loader = FileSystemLoader(str(template_dir))
    env = _configure(SandboxedEnvironment(loader=loader, autoescape=True, undefined=StrictUndefined, finalize=nowrap_html))
    env.filters["plain"] = plain
    env.filters["cell"] = cell_markup  # a table cell breaks only between the pieces its column was fitted to
    return env
