"""What a browser without JavaScript posts for an HTML form: a tiny form reader for HTTP-level tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlencode


class FormReader(HTMLParser):
    """The successful controls of one form (by id), as (name, value) pairs in document order; and its labels."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.template_depth = form_id, False, 0
        self.fields: list[tuple[str, str]] = []
        self.controls: dict[str, str] = {}  # id → name of every visible control
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.option: tuple[str | None, bool] | None = None
        self.option_text = ""
        self.textarea: str | None = None
        self.text = ""
        self.action = ""
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None
        self._label_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside, self.action = True, a.get("action", "")
        if not self.inside:
            return
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "label" and "for" in a:
            self._label_for, self._label_text = a["for"], ""
        if tag in ("input", "select", "textarea", "output") and a.get("id") and a.get("type") != "hidden":
            self.controls[a["id"]] = a.get("name", "")
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select:
            self.option, self.option_text = (a.get("value"), "selected" in a), ""
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option_text += data
        if self.textarea is not None:
            self.text += data
        if self._label_for is not None:
            self._label_text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "template":
            self.template_depth -= 1
        if self.template_depth:
            return
        if tag == "label" and self._label_for is not None:
            self.labels[self._label_for] = re.sub(r"\s+|\*", "", self._label_text)
            self._label_for = None
        if tag == "option" and self.option is not None:
            value, selected = self.option
            self.options.append((self.option_text if value is None else value, selected))
            self.option = None
        elif tag == "select" and self.select:
            chosen = [v for v, s in self.options if s] or [v for v, _ in self.options[:1]]
            self.fields.append((self.select, chosen[0] if chosen else ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.inside = False


def read_form(html: str, form_id: str = "editor") -> FormReader:
    reader = FormReader(form_id)
    reader.feed(html)
    return reader


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a CSRF token"
    return found.group(1)


def post_form(client, html: str, action: str, form_id: str = "editor", changes: dict[str, str] | None = None,
              drop: tuple[str, ...] = (), headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Submit the form as a browser would after the user changed ``changes`` and pressed the ``action`` button."""
    reader = read_form(html, form_id)
    changes = changes or {}
    pairs = [(k, changes.get(k, v)) for k, v in reader.fields if k not in drop]
    pairs += [(k, v) for k, v in changes.items() if k not in dict(reader.fields)]
    pairs.append(("action", action))
    return client.post(reader.action, data=urlencode(pairs), content_type="application/x-www-form-urlencoded",
                       headers=headers or {})
