"""Import WeasyPrint without its slow start-up work.

- Library search: WeasyPrint loads Pango, HarfBuzz and friends by trying several
  names per library (``libpango-1.0-0``, ``pango-1.0``, … ``libpango-1.0.so.0``);
  every name that is not a file makes cffi call ``ctypes.util.find_library``,
  which runs ``ldconfig`` or a compiler in a subprocess: ~0.2 s of a cold start.
  On Linux the ``.so.N`` names load directly, so during the import the search
  answers "not found" at once.
- C declarations: parsed once per installation and kept (docgen.render.weasy_ffi).
- fontTools' subsetter and variable-font instancer (~70 ms to import): WeasyPrint
  needs them only for variable fonts (the bundled ones are not) and for
  subsetting without HarfBuzz. The subsetter is imported lazily (the standard
  ``importlib.util.LazyLoader``: it runs on first use); WeasyPrint's name for the
  instancer is a function that imports it when first called.

Should the import fail that way (an unusual system, an unusable cache folder), it
is retried without the cached declarations, then with the real library search.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import importlib.util
import logging
import sys
import warnings
from types import ModuleType
from typing import Any, Iterator

from docgen.render.weasy_ffi import preparsed

LOG = logging.getLogger(__name__)


@contextlib.contextmanager
def _direct_library_names() -> Iterator[None]:
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


INSTANCER = "fontTools.varLib.instancer"


def _instantiate_variable_font(*args: Any, **kwargs: Any) -> Any:
    return importlib.import_module(INSTANCER).instantiateVariableFont(*args, **kwargs)


@contextlib.contextmanager
def _instancer_on_first_use() -> Iterator[None]:
    """While WeasyPrint is imported, ``from fontTools.varLib.instancer import instantiateVariableFont`` gives
    a function that imports the instancer when called (unless something imported it already)."""
    if INSTANCER in sys.modules:
        yield
        return
    stand_in = ModuleType(INSTANCER)
    stand_in.instantiateVariableFont = _instantiate_variable_font  # type: ignore[attr-defined]
    sys.modules[INSTANCER] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(INSTANCER) is stand_in:
            del sys.modules[INSTANCER]


SUBSETTER = "fontTools.subset"


def _import_lazily(name: str) -> None:
    """Put ``name`` into sys.modules as a module whose code runs on its first attribute access."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # ``from parent import child`` finds it here, without touching it (which would load it)
        setattr(sys.modules[parent], child, module)


def _forget_weasyprint() -> None:
    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        del sys.modules[name]


def import_weasyprint() -> ModuleType:
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing HarfBuzz-subset is reported by docgen.render.pdf itself
        if not sys.platform.startswith("linux"):
            return importlib.import_module("weasyprint")
        _import_lazily(SUBSETTER)
        for declarations in (preparsed, contextlib.nullcontext):
            try:
                with _direct_library_names(), _instancer_on_first_use(), declarations():
                    return importlib.import_module("weasyprint")
            except Exception as exc:  # noqa: BLE001  (any failure: the next, plainer way)
                LOG.debug("WeasyPrint import retried (%s: %s)", type(exc).__name__, exc)
                _forget_weasyprint()
        return importlib.import_module("weasyprint")


weasyprint = import_weasyprint()
