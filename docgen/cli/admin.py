"""Administration at the command line: database, tokens, units, numbering, the audit log.

Every change is written to the audit log as the operating-system user who ran it.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from docgen.cli import EXIT_FAILURE, main
from docgen.config import Settings
from docgen.errors import InvalidData
from docgen.store import audit
from docgen.store.audit import Actor
from docgen.store.db import db_session


def _settings() -> Settings:
    return Settings.from_env()


@main.group()
def db() -> None:
    """数据库（文书登记簿）。"""


@db.command("upgrade")
def db_upgrade() -> None:
    """把数据库升级到最新结构（新库则创建全部表）。"""
    from docgen.store.migrate import upgrade
    settings = _settings()
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


# ---------------------------------------------------------------- tokens

@main.group()
def token() -> None:
    """API 令牌。"""


@token.command("create")
@click.option("--role", type=click.Choice(["unit", "judicial"]), default="unit", show_default=True,
              help="unit：仅本单位；judicial：市司法局，可查看全部单位")
@click.option("--unit", default=None, help="已登记的单位全称（docgen unit add），role=unit 时必填")
@click.option("--name", default="", help="令牌用途说明，如“执法平台”")
def token_create(role: str, unit: str | None, name: str) -> None:
    """创建 API 令牌并打印（只显示这一次，库中只存其哈希）。"""
    from docgen.store.tokens import create_token
    try:
        with db_session(_settings()) as session:
            secret = create_token(session, role, unit, name)
            audit.record(session, Actor.cli(), "token.create", name or unit or role, role=role, unit=unit)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(secret)


@token.command("list")
def token_list() -> None:
    """列出令牌（编号、角色、单位、是否已吊销；不显示令牌本身）。"""
    from docgen.store.models import ApiToken
    with db_session(_settings()) as session:
        for row in session.query(ApiToken).order_by(ApiToken.id):
            state = "已吊销" if row.revoked_at else "有效"
            click.echo(f"{row.id}\t{row.role}\t{row.unit or '（全部单位）'}\t{row.name}\t{state}")


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """吊销编号为 TOKEN_ID 的令牌（立即失效，记录保留）。"""
    from docgen.store.models import ApiToken, utcnow
    with db_session(_settings()) as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise click.BadParameter(f"没有编号为 {token_id} 的令牌", param_hint="TOKEN_ID")
        row.revoked_at = row.revoked_at or utcnow()
        audit.record(session, Actor.cli(), "token.revoke", row.name, token=token_id)
    click.echo(f"令牌 {token_id} 已吊销")


# ---------------------------------------------------------------- units

def _read_seal(path: Path | None) -> bytes | None:
    if path is None:
        return None
    from docgen.doctypes.signature import normalise_seal
    try:
        return normalise_seal(path.read_bytes(), "seal")
    except OSError as exc:
        raise click.BadParameter(f"无法读取印章文件：{exc.strerror}", param_hint="--seal") from exc
    except InvalidData as exc:
        raise click.BadParameter(exc.issues[0].message, param_hint="--seal") from exc


@main.group()
def unit() -> None:
    """单位登记：发文机关的名称、标志、机关代字和印章（制发文书以此为准）。"""


@unit.command("add")
@click.argument("name")
@click.option("--mark", default=None, help="发文机关标志（版头红字），默认同单位名称")
@click.option("--kind", type=click.Choice(["enforcement", "judicial", "government"]), default="enforcement",
              show_default=True, help="enforcement：行政执法单位；judicial：市司法局；government：市人民政府")
@click.option("--organ-code", "organ_codes", multiple=True, help="本单位的机关代字（可重复），如 --organ-code 昌市监")
@click.option("--seal", type=click.Path(dir_okay=False, path_type=Path), default=None, help="印章图片（PNG/JPEG）")
@click.option("--seal-mm", type=float, default=42.0, show_default=True, help="印章直径（毫米）；市人民政府 45")
def unit_add(name: str, mark: str | None, kind: str, organ_codes: tuple[str, ...], seal: Path | None,
             seal_mm: float) -> None:
    """登记单位 NAME。"""
    from docgen.store.units import add_unit
    seal_png = _read_seal(seal)
    try:
        with db_session(_settings()) as session:
            info = add_unit(session, name, mark, kind, organ_codes, seal_png, seal_mm)
            audit.record(session, Actor.cli(), "unit.add", info.name, mark=info.mark, kind=kind,
                         organ_codes=list(info.organ_codes), seal=bool(seal_png), seal_mm=info.seal_mm)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(f"已登记：{info.name}（标志“{info.mark}”，机关代字：{'、'.join(info.organ_codes) or '无'}）")


@unit.command("set")
@click.argument("name")
@click.option("--mark", default=None, help="新的发文机关标志")
@click.option("--kind", type=click.Choice(["enforcement", "judicial", "government"]), default=None)
@click.option("--add-organ-code", "add_codes", multiple=True, help="增加机关代字（可重复）")
@click.option("--remove-organ-code", "remove_codes", multiple=True, help="移除机关代字（可重复）")
@click.option("--seal", type=click.Path(dir_okay=False, path_type=Path), default=None, help="新的印章图片")
@click.option("--no-seal", is_flag=True, help="删除登记的印章图片（文书按加盖印章格式排版，由人工用印）")
@click.option("--seal-mm", type=float, default=None, help="印章直径（毫米）")
@click.option("--enable/--disable", "active", default=None, help="启用或停用（停用后不能制发文书）")
def unit_set(name: str, mark: str | None, kind: str | None, add_codes: tuple[str, ...], remove_codes: tuple[str, ...],
             seal: Path | None, no_seal: bool, seal_mm: float | None, active: bool | None) -> None:
    """修改已登记的单位 NAME。"""
    from docgen.store.units import UnitChange, describe_unit, update_unit
    change = UnitChange(mark=mark, kind=kind, add_codes=add_codes, remove_codes=remove_codes, seal_png=_read_seal(seal),
                        remove_seal=no_seal, seal_mm=seal_mm, active=active)
    try:
        with db_session(_settings()) as session:
            before, after = update_unit(session, name, change)
            audit.record(session, Actor.cli(), "unit.update", after.name, before=describe_unit(before),
                         after=describe_unit(after))
    except KeyError:
        raise click.BadParameter(f"没有登记名为“{name}”的单位", param_hint="NAME") from None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(f"已修改：{after.name}")


@unit.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def unit_list(as_json: bool) -> None:
    """列出已登记的单位。"""
    from docgen.store.units import describe_unit, list_units
    with db_session(_settings()) as session:
        units = [describe_unit(u) for u in list_units(session)]
    if as_json:
        click.echo(json.dumps(units, ensure_ascii=False, indent=2))
        return
    for u in units:
        seal = f"印章 {u['seal_mm']:g}mm" if u["seal"] else "无印章图片"
        state = "" if u["active"] else "\t已停用"
        click.echo(f"{u['name']}\t{u['kind_title']}\t标志：{u['mark']}\t机关代字：{'、'.join(u['organ_codes']) or '—'}"
                   f"\t{seal}{state}")


# ---------------------------------------------------------------- numbering

@main.group()
def numbering() -> None:
    """文号：设定下一个文号、开放手工文号范围、查看编号状态。"""


@numbering.command("set")
@click.argument("organ_code")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("--next", "next_seq", type=click.IntRange(1, 99999), required=True, help="下一个自动分配的顺序号")
def numbering_set(organ_code: str, year: int, next_seq: int) -> None:
    """设定 ORGAN_CODE〔YEAR〕下一个自动分配的文号（如纸质已发到 6 号，则 --next 7）。"""
    from docgen.store.numbering import set_next
    try:
        with db_session(_settings()) as session:
            before, after = set_next(session, organ_code, year, next_seq)
            audit.record(session, Actor.cli(), "numbering.set", f"{organ_code}〔{year}〕", before=before, after=after)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(f"{organ_code}〔{year}〕下一个文号：{after}号（原为 {before}号）")


@numbering.command("allow")
@click.argument("organ_code")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.argument("span", metavar="FROM-TO")
@click.option("--until", "until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="开放至该日（含），默认直到关闭")
def numbering_allow(organ_code: str, year: int, span: str, until: object) -> None:
    """允许在 ORGAN_CODE〔YEAR〕的 FROM-TO 范围内手工指定文号（如补登纸质文书）。"""
    from docgen.store.numbering import open_window
    low, _, high = span.partition("-")
    if not (low.isascii() and low.isdigit() and high.isascii() and high.isdigit()):
        raise click.BadParameter("范围应写作“起-止”，如 1-6", param_hint="FROM-TO")
    until_day: date | None = until.date() if until is not None else None  # type: ignore[attr-defined]
    actor = Actor.cli()
    try:
        with db_session(_settings()) as session:
            open_window(session, organ_code, year, int(low), int(high), until_day, actor.name)
            audit.record(session, actor, "numbering.window", f"{organ_code}〔{year}〕", span=f"{int(low)}-{int(high)}",
                         until=until_day)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(f"已开放 {organ_code}〔{year}〕{int(low)}–{int(high)}号 供手工指定")


@numbering.command("close")
@click.argument("organ_code")
@click.argument("year", type=click.IntRange(2000, 2100))
def numbering_close(organ_code: str, year: int) -> None:
    """关闭 ORGAN_CODE〔YEAR〕的全部手工文号范围。"""
    from docgen.store.numbering import close_windows
    with db_session(_settings()) as session:
        closed = close_windows(session, organ_code, year)
        audit.record(session, Actor.cli(), "numbering.close", f"{organ_code}〔{year}〕", windows=closed)
    click.echo(f"已关闭 {closed} 个手工文号范围")


@numbering.command("show")
@click.argument("organ_code", required=False)
def numbering_show(organ_code: str | None) -> None:
    """显示各机关代字、年份的下一个文号、已用最大号和开放的手工范围。"""
    from docgen.store.numbering import counter_states
    with db_session(_settings()) as session:
        states = counter_states(session, organ_code)
    for s in states:
        windows = "、".join(s.windows) or "无"
        click.echo(f"{s.organ_code}〔{s.year}〕\t下一个：{s.next_seq}号\t已用最大：{s.highest_used}号\t手工范围：{windows}")


# ---------------------------------------------------------------- audit

@main.command("audit")
@click.option("--action", type=click.Choice(sorted(audit.ACTIONS)), default=None)
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
def audit_list(action: str | None, limit: int) -> None:
    """显示审计日志（最新在前）：时间、操作人、来源、操作、对象。"""
    from docgen.clock import beijing_text
    with db_session(_settings()) as session:
        rows, _ = audit.list_events(session, action, None, 1, limit)
        for row in rows:
            click.echo(f"{beijing_text(row.at)}\t{row.actor}\t{row.source}\t{audit.ACTIONS.get(row.action, row.action)}"
                       f"\t{row.target}\t{row.detail_json}")


# ---------------------------------------------------------------- users of the workspace

def _read_password(confirm: bool) -> str:
    """The password from standard input: typed twice at a terminal, or one line from a pipe."""
    if sys.stdin.isatty():
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码" if confirm else False)
    else:
        password = sys.stdin.readline().rstrip("\n")
    return password


@main.group()
def user() -> None:
    """工作台用户：创建、列出、停用/启用、重置密码（密码从标准输入读取）。"""


@user.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["judicial", "unit", "admin"]), required=True,
              help="judicial：市司法局；unit：行政执法单位；admin：管理员（管理用户和单位）")
@click.option("--unit", default=None, help="已登记的单位全称，role=unit 时必填")
@click.option("--name", "display_name", default="", help="姓名")
def user_create(username: str, role: str, unit: str | None, display_name: str) -> None:
    """创建用户 USERNAME（密码从标准输入读取，至少 10 个字符）。"""
    from docgen.store.users import create_user
    password = _read_password(confirm=True)
    try:
        with db_session(_settings()) as session:
            info = create_user(session, username, password, role, unit, display_name)
            audit.record(session, Actor.cli(), "user.create", info.username, role=role, unit=unit)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(f"已创建用户 {info.username}（{role}{'，' + unit if unit else ''}）")


@user.command("list")
def user_list() -> None:
    """列出用户。"""
    from docgen.store.users import ROLES, list_users
    with db_session(_settings()) as session:
        for info in list_users(session):
            state = "已停用" if not info.active else ("已锁定" if info.locked else "正常")
            click.echo(f"{info.username}\t{info.display_name}\t{ROLES[info.role]}\t{info.unit or '—'}\t{state}")


@user.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """停用用户（其登录立即失效）。"""
    _set_active(username, False)


@user.command("enable")
@click.argument("username")
def user_enable(username: str) -> None:
    """重新启用用户。"""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from docgen.store.users import set_active
    from docgen.web.ui.sessions import end_sessions_of
    try:
        with db_session(_settings()) as session:
            info = set_active(session, username, active)
            audit.record(session, Actor.cli(), "user.enable" if active else "user.disable", username)
    except KeyError:
        raise click.BadParameter(f"没有用户 {username}", param_hint="USERNAME") from None
    if not active:
        end_sessions_of(_settings(), info.id)
    click.echo(f"已{'启用' if active else '停用'}用户 {username}")


@user.command("reset-password")
@click.argument("username")
def user_reset_password(username: str) -> None:
    """重置用户密码并解除锁定（新密码从标准输入读取）；其现有登录全部失效。"""
    from docgen.store.users import reset_password
    from docgen.web.ui.sessions import end_sessions_of
    password = _read_password(confirm=True)
    try:
        with db_session(_settings()) as session:
            info = reset_password(session, username, password)
            audit.record(session, Actor.cli(), "user.password", username)
    except KeyError:
        raise click.BadParameter(f"没有用户 {username}", param_hint="USERNAME") from None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    end_sessions_of(_settings(), info.id)
    click.echo(f"已重置 {username} 的密码")


@main.command("setup-link")
def setup_link_command() -> None:
    """再次打印首次运行的一次性链接（尚无用户时有效）。"""
    from docgen.web.ui.auth import setup_link
    link = setup_link(_settings())
    click.echo(link or "已有用户，一次性链接已失效；请用 docgen user create 创建用户。")
