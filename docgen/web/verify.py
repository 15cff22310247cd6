"""The public verification page printed (as a code and QR code) on every issued PDF."""

from __future__ import annotations

from datetime import timedelta, timezone

from flask import Blueprint, Response, abort, current_app, render_template, send_from_directory

from docgen.fonts import FONT_DIR
from docgen.store.documents import find_by_code

WEB_FONTS = {"FandolFang-Regular.otf", "FandolHei-Regular.otf"}

bp = Blueprint("verify", __name__, template_folder="templates")
BEIJING = timezone(timedelta(hours=8), "北京时间")


@bp.get("/assets/fonts/<name>")
def font(name: str) -> Response:
    """The bundled fonts, for pages viewed on a machine without Chinese fonts (used only as a fallback)."""
    if name not in WEB_FONTS:
        abort(404)
    return send_from_directory(FONT_DIR, name, max_age=30 * 24 * 3600)


@bp.get("/verify/<code>")
def page(code: str) -> tuple[str, int]:
    """Number, issuer, date, status and hash of the document behind ``code``; 404 page if none."""
    document = find_by_code(current_app.config["DOCGEN_SETTINGS"], code[:16]) if code.isalnum() else None
    if document is None or document.status not in ("issued", "void"):
        return render_template("verify.html", document=None, code=code[:16]), 404
    voided = None
    if document.voided_at is not None:  # SQLite returns naive UTC; show the date in Beijing time
        at = document.voided_at if document.voided_at.tzinfo else document.voided_at.replace(tzinfo=timezone.utc)
        voided = at.astimezone(BEIJING).strftime("%Y年%-m月%-d日 %H:%M")
    return render_template("verify.html", document=document, code=document.verify_code, voided_local=voided), 200
