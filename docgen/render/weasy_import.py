"""Import WeasyPrint without its slow library search.

WeasyPrint loads Pango, HarfBuzz and friends by trying several names per library
(``libpango-1.0-0``, ``pango-1.0``, … ``libpango-1.0.so.0``); every name that is not a
file makes cffi call ``ctypes.util.find_library``, which runs ``ldconfig`` or a
compiler in a subprocess: ~0.2 s of a cold start. On Linux the ``.so.N`` names load
directly, so during the import the search answers "not found" at once; should the
import fail that way (an unusual system), it is retried with the real search.
"""

from __future__ import annotations

import ctypes.util
import importlib
import sys
import warnings
from types import ModuleType


def import_weasyprint() -> ModuleType:
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing HarfBuzz-subset is reported by docgen.render.pdf itself
        if not sys.platform.startswith("linux"):
            return importlib.import_module("weasyprint")
        search = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            return importlib.import_module("weasyprint")
        except OSError:
            for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = search
        return importlib.import_module("weasyprint")


weasyprint = import_weasyprint()
