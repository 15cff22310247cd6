"""The public verification page printed (as a code and QR code) on every issued PDF."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from docgen.store.documents import find_by_code

bp = Blueprint("verify", __name__, template_folder="templates")


@bp.get("/verify/<code>")
def page(code: str) -> tuple[str, int]:
    """Number, issuer, date, status and hash of the document behind ``code``; 404 page if none."""
    document = find_by_code(current_app.config["DOCGEN_SETTINGS"], code[:16]) if code.isalnum() else None
    if document is None or document.status not in ("issued", "void"):
        return render_template("verify.html", document=None, code=code[:16]), 404
    return render_template("verify.html", document=document, code=document.verify_code), 200
