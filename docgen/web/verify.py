"""The public verification page printed (as a code and QR code) on every issued PDF.

It says only what the paper already says (number, issuer, date, title), whether
the document is valid or void, and when it was registered: never why it was
voided (the reason may name people) and never anything a signed-in user alone may see.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, render_template, send_from_directory

from docgen.clock import beijing_text
from docgen.fonts import FONT_DIR
from docgen.issuing import CODE_ALPHABET
from docgen.store.documents import find_by_code

WEB_FONTS = {"FandolFang-Regular.otf", "FandolHei-Regular.otf"}
CODE = re.compile(f"[{CODE_ALPHABET}]{{10}}")

bp = Blueprint("verify", __name__, template_folder="templates")


@bp.get("/assets/fonts/<name>")
def font(name: str) -> Response:
    """The bundled fonts, for the developer docs page on a machine without Chinese fonts."""
    if name not in WEB_FONTS:
        abort(404)
    return send_from_directory(FONT_DIR, name, max_age=30 * 24 * 3600)


@bp.get("/verify/<code>")
def page(code: str) -> tuple[str, int]:
    """Number, issuer, date, status and hash of the document behind ``code``; 404 page if none."""
    code = code.strip().upper()
    document = find_by_code(current_app.config["DOCGEN_SETTINGS"], code) if CODE.fullmatch(code) else None
    shown = code if CODE.fullmatch(code) else ""
    if document is None:
        return render_template("verify.html", document=None, code=shown), 404
    return render_template("verify.html", document=document, code=document.verify_code,
                           registered=beijing_text(document.created_at),
                           voided=beijing_text(document.voided_at, with_time=False) if document.voided_at else None), 200
