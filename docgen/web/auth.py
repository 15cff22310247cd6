"""Bearer-token authentication for the API, and the audit identity of the caller."""

from __future__ import annotations

from flask import current_app, g, request

from docgen.errors import Forbidden, Unauthorized
from docgen.store.audit import Actor
from docgen.store.db import db_session
from docgen.store.tokens import Caller, authenticate


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, if the request has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token and len(token) <= 200 else None


def current_caller() -> Caller:
    """The caller of this request; Unauthorized without a valid `Authorization: Bearer` token."""
    if "caller" in g:
        return g.caller
    token = bearer_token()
    if token is None:
        raise Unauthorized()
    with db_session(current_app.config["DOCGEN_SETTINGS"], read_only=True) as session:
        caller = authenticate(session, token)
    if caller is None:
        raise Unauthorized("API 令牌无效或已吊销")
    g.caller = caller
    return caller


def current_actor() -> Actor:
    """The caller as the audit log records it: token name and id, and the client's address."""
    caller = current_caller()
    return Actor(name=caller.name, source=request.remote_addr or "unknown", token_id=caller.token_id)


def require_judicial() -> Caller:
    """The caller, who must hold a 司法局 (judicial) token."""
    caller = current_caller()
    if caller.role != "judicial":
        raise Forbidden("只有市司法局的令牌可以查看此内容")
    return caller
