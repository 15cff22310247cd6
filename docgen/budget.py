"""The cost budget of a synchronous request: how much layout work a request may ask for and wait on.

A PDF's cost grows with its line boxes; the data's printed characters and its
list items (table rows, paragraphs) estimate them without rendering anything.
The estimate errs on the large side for dense tables, where a row costs most.
Work over the budget goes to a background job instead of holding a worker.
"""

from __future__ import annotations

from typing import Any

from docgen.config import Settings
from docgen.errors import OverBudget

CHARS_PER_PAGE = 700  # printed characters of data per estimated page (boilerplate comes on top)
ROW_WEIGHT = 60  # an object in a list (a table row, a problem, a case) costs like this many characters
ITEM_WEIGHT = 5  # a plain list item (a case number, a penalty kind) is joined into one cell


def printed_weight(data: Any, key: str = "") -> int:
    """Characters of JSON data plus the weight of its list items; embedded images (``*_image``) are not text."""
    if isinstance(data, str):
        return 0 if key.endswith("_image") else len(data)
    if isinstance(data, list):
        return sum((ROW_WEIGHT if isinstance(item, dict) else ITEM_WEIGHT) + printed_weight(item) for item in data)
    if isinstance(data, dict):
        return sum(printed_weight(value, str(name)) for name, value in data.items())
    return 0


def generic_pages(data: Any) -> int:
    """Estimated pages of running text (at least 1)."""
    return 1 + printed_weight(data) // CHARS_PER_PAGE


def estimate_pages(doctype: Any, data: Any) -> int:
    """Estimated PDF pages: the type's own estimate where its layout has tables, else the running-text one."""
    return doctype.estimate_pages(data) if doctype.estimate_pages is not None else generic_pages(data)


def over_sync_budget(doctype: Any, data: Any, settings: Settings) -> bool:
    """Whether rendering this data synchronously would exceed DOCGEN_SYNC_MAX_PAGES."""
    return estimate_pages(doctype, data) > settings.sync_max_pages


def check_sync_budget(doctype: Any, data: Any, settings: Settings) -> None:
    """OverBudget (413) for data too large to render while the client waits."""
    pages = estimate_pages(doctype, data)
    if pages > settings.sync_max_pages:
        raise OverBudget(f"文书过大（估计约 {pages} 页，同步生成上限 {settings.sync_max_pages} 页）；"
                         "请在请求头加 Prefer: respond-async 改用后台任务，再轮询返回的任务地址")
