"""Bearer-token authentication for the document endpoints."""

from __future__ import annotations

from flask import current_app, g, request

from docgen.errors import Unauthorized
from docgen.store.db import session_scope
from docgen.store.tokens import Caller, authenticate


def current_caller() -> Caller:
    """The caller of this request; Unauthorized without a valid `Authorization: Bearer` token."""
    if "caller" in g:
        return g.caller
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    settings = current_app.config["DOCGEN_SETTINGS"]
    with session_scope(settings.effective_database_url) as session:
        caller = authenticate(session, token.strip())
    if caller is None:
        raise Unauthorized("API 令牌无效或已吊销")
    g.caller = caller
    return caller
