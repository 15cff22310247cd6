"""The ``docgen`` command: list types, validate data, render documents to files."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from docgen.config import Settings
from docgen.doctypes.registry import get_doctype, load_registry
from docgen.errors import DocgenError, InvalidData, RequestProblem
from docgen.generate import generate, prepare
from docgen.jsonio import parse_json_document

EXIT_INVALID = 1
EXIT_FAILURE = 3


def _read_json(source: str) -> Any:
    """Read JSON from a path or ``-`` (standard input)."""
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise click.BadParameter(f"无法读取文件：{exc.strerror}", param_hint="FILE") from exc
    return parse_json_document(raw)


def _report(error: DocgenError, as_json: bool) -> int:
    """Print an error for people (or as JSON) and return the exit code."""
    if as_json:
        click.echo(json.dumps(error.as_dict(), ensure_ascii=False, indent=2), err=True)
    else:
        click.echo(f"错误：{error.message}", err=True)
        for issue in getattr(error, "issues", []):
            click.echo(f"  {issue.path or '/'}: {issue.message} [{issue.code}]", err=True)
    return EXIT_INVALID if isinstance(error, (InvalidData, RequestProblem)) else EXIT_FAILURE


def _warn(warnings: list[str]) -> None:
    for message in warnings:
        click.echo(f"警告：{message}", err=True)


@click.group()
def main() -> None:
    """docgen：行政执法监督文书生成（DOCX / PDF，GB/T 9704-2012 版式）。"""


@main.command("types")
def list_types() -> None:
    """列出所有文书类型。"""
    for slug, doctype in load_registry(Settings.from_env()).items():
        click.echo(f"{slug}\t{doctype.title}")


@main.command()
@click.argument("doctype")
@click.argument("source", metavar="FILE")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出错误列表")
def validate(doctype: str, source: str, as_json: bool) -> None:
    """校验 FILE（JSON，- 表示标准输入）是否符合 DOCTYPE 的要求。"""
    try:
        _, context = prepare(doctype, _read_json(source), Settings.from_env())
    except DocgenError as error:
        sys.exit(_report(error, as_json))
    _warn(context["warnings"])
    click.echo("校验通过")


@main.command()
@click.argument("doctype")
@click.argument("source", metavar="FILE")
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="输出目录")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "both"]), default="both", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出错误列表")
def render(doctype: str, source: str, outdir: Path, fmt: str, as_json: bool) -> None:
    """按 DOCTYPE 把 FILE 生成为 DOCX 和/或 PDF，打印写出的文件路径。"""
    settings = Settings.from_env()
    _warn_missing_harfbuzz()
    formats = ("docx", "pdf") if fmt == "both" else (fmt,)
    try:
        get_doctype(doctype, settings)
        result = generate(doctype, _read_json(source), formats, settings)
    except DocgenError as error:
        sys.exit(_report(error, as_json))
    stem = "document" if source == "-" else Path(source).stem
    files = {f"{stem}.{ext}": data for ext, data in result.files.items()}
    if result.summary is not None:  # internal figures go beside the documents, never into them
        files[f"{stem}.summary.json"] = json.dumps(result.summary, ensure_ascii=False, indent=2).encode("utf-8")
    try:
        written = write_all(outdir, files)
    except OSError as exc:
        click.echo(f"错误：无法写入输出目录 {outdir}：{exc.strerror or exc}", err=True)
        sys.exit(EXIT_FAILURE)
    for path in written:
        click.echo(str(path))
    _warn(result.warnings)


@main.group()
def db() -> None:
    """数据库（文书登记簿）。"""


@db.command("upgrade")
def db_upgrade() -> None:
    """把数据库升级到最新结构（新库则创建全部表）。"""
    from docgen.store.migrate import upgrade
    settings = Settings.from_env()
    try:
        upgrade(settings.effective_database_url)
    except Exception as exc:  # Alembic and the drivers raise many types; the operator needs the message
        click.echo(f"错误：数据库升级失败：{exc}", err=True)
        sys.exit(EXIT_FAILURE)
    click.echo(f"数据库已是最新结构：{_safe_url(settings.effective_database_url)}")


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


@main.group()
def token() -> None:
    """API 令牌。"""


@token.command("create")
@click.option("--role", type=click.Choice(["unit", "judicial"]), default="unit", show_default=True,
              help="unit：仅本单位；judicial：市司法局，可查看全部单位")
@click.option("--unit", default=None, help="单位全称（发文机关名称），role=unit 时必填")
@click.option("--name", default="", help="令牌用途说明，如“执法平台”")
@click.option("--organ-code", "organ_codes", multiple=True,
              help="本单位可使用的机关代字（可重复），如 --organ-code 昌市监 --organ-code 昌市监罚")
def token_create(role: str, unit: str | None, name: str, organ_codes: tuple[str, ...]) -> None:
    """创建 API 令牌并打印（只显示这一次，库中只存其哈希）。"""
    from docgen.store.db import session_scope
    from docgen.store.tokens import create_token
    settings = Settings.from_env()
    try:
        with session_scope(settings.effective_database_url) as session:
            secret = create_token(session, role, unit, name, organ_codes)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(secret)


@token.command("list")
def token_list() -> None:
    """列出令牌（编号、角色、单位、机关代字、是否已吊销；不显示令牌本身）。"""
    from docgen.store.db import session_scope
    from docgen.store.models import ApiToken
    with session_scope(Settings.from_env().effective_database_url) as session:
        for row in session.query(ApiToken).order_by(ApiToken.id):
            state = "已吊销" if row.revoked_at else "有效"
            codes = "、".join(c for c in (row.organ_codes or "").split("\n") if c) or "—"
            click.echo(f"{row.id}\t{row.role}\t{row.unit or '（全部单位）'}\t{codes}\t{row.name}\t{state}")


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """吊销编号为 TOKEN_ID 的令牌（立即失效，记录保留）。"""
    from docgen.store.db import session_scope
    from docgen.store.models import ApiToken, utcnow
    with session_scope(Settings.from_env().effective_database_url) as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise click.BadParameter(f"没有编号为 {token_id} 的令牌", param_hint="TOKEN_ID")
        row.revoked_at = row.revoked_at or utcnow()
    click.echo(f"令牌 {token_id} 已吊销")


def write_all(outdir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file or none: each goes to a temporary name first, then all are renamed."""
    outdir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            handle, temp = tempfile.mkstemp(dir=outdir, prefix=".docgen-", suffix=".part")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            staged.append((temp, outdir / name))
        for temp, final in staged:
            os.replace(temp, final)
    finally:
        for temp, _ in staged:
            if os.path.exists(temp):
                os.unlink(temp)
    return [final for _, final in staged]


def _warn_missing_harfbuzz() -> None:
    from docgen.render.pdf import HARFBUZZ_HINT, harfbuzz_subset_available
    if not harfbuzz_subset_available():
        click.echo(f"警告：{HARFBUZZ_HINT}", err=True)


if __name__ == "__main__":
    main()
