"""Regenerate docgen/render/fonts/coverage.txt after adding or replacing a bundled font."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docgen.fonts import COVERAGE_FILE, write_coverage_file  # noqa: E402

write_coverage_file()
print(COVERAGE_FILE)
