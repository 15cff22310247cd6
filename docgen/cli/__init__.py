"""The ``docgen`` command: list types, validate data, render documents; administration in submodules."""

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


class _LazyGroup(click.Group):
    """The administration and operations commands (and the database layer they import) load only when
    one of them is asked for: ``docgen render`` starts without them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register_subcommands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None:
            _register_subcommands()
            command = super().get_command(ctx, name)
        return command


@click.group(cls=_LazyGroup)
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
    formats = ("docx", "pdf") if fmt == "both" else (fmt,)
    if "pdf" in formats:
        _warn_missing_harfbuzz()  # (a DOCX needs no PDF engine, so it is not even loaded)
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


def _register_subcommands() -> None:
    from docgen.cli import admin, batch, ops, reminders  # noqa: F401  (they attach their groups to ``main``)

if __name__ == "__main__":
    main()
