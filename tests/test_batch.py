"""The monthly disclosure batch: every row accounted for, nothing personal published, one result per month."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from docgen.batch.package import write_zip
from docgen.batch.run import start_batch
from docgen.batch.status import describe_batch
from docgen.config import Settings
from docgen.errors import Conflict
from docgen.jobs.execute import execute
from docgen.store.db import session_scope
from docgen.store.migrate import upgrade
from docgen.store.tokens import Caller
from docgen.store.units import add_unit

from month_data import Month, csv_bytes, make_month, write_xlsx
from readers import docx_paragraphs, squash

JUDICIAL = Caller(token_id=0, name="测试", role="judicial", unit=None)
ISSUED_ON = date(2025, 6, 28)


def fresh_settings(tmp_path: Path, **changes: Any) -> Settings:
    """A fresh registry in tmp_path (dates of 2025 allowed)."""
    settings = dataclasses.replace(Settings.from_env(), instance_dir=tmp_path / "instance", issue_date_past_days=3650,
                                   issue_date_future_days=3650, rate_limits=False, **changes)
    upgrade(settings.effective_database_url)
    return settings


def register(settings: Settings, month: Month) -> None:
    with session_scope(settings.effective_database_url) as session:
        for name in month.units:
            add_unit(session, name, None, "enforcement", (), None)


def run_month(settings: Settings, content: bytes, filename: str, issue: bool = False, period: str = "2025-06") -> str:
    """Start a batch and run its job in this process (as `docgen batch disclosure` does); the batch id."""
    batch, job = start_batch(settings, JUDICIAL, content, filename, period, issue, ISSUED_ON, run_here=True)
    execute(settings, job.id)
    return batch.id


def pdf_text(data: bytes) -> str:
    """All text of a PDF (pdfium: fast enough for hundreds of pages)."""
    import pypdfium2
    document = pypdfium2.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def docx_text(data: bytes) -> str:
    return "\n".join(docx_paragraphs(data))


def ledger(settings: Settings, batch_id: str) -> list[dict[str, Any]]:
    from docgen.batch.report import ledger_rows
    from docgen.store.archive import open_storage
    from docgen.store.db import db_session
    from docgen.store.models import Batch
    with db_session(settings, read_only=True) as session:
        digest = session.get(Batch, batch_id).ledger_sha256
    return list(ledger_rows(open_storage(settings).get(digest)))


@pytest.fixture(scope="module")
def big_month(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """3,000 cases over 40 units (4 without cases), from XLSX, rendered once for the module's tests."""
    tmp = tmp_path_factory.mktemp("month")
    month = make_month(3000, 40, empty=4)
    settings = fresh_settings(tmp)
    register(settings, month)
    write_xlsx(month, tmp / "cases.xlsx")
    batch_id = run_month(settings, (tmp / "cases.xlsx").read_bytes(), "cases.xlsx")
    write_zip(settings, batch_id, tmp / "result.zip")
    return {"month": month, "settings": settings, "batch_id": batch_id, "zip": tmp / "result.zip"}


@pytest.mark.slow
def test_every_row_of_a_3000_case_month_is_accounted_for(big_month):
    month, settings, batch_id = big_month["month"], big_month["settings"], big_month["batch_id"]
    info = describe_batch(settings, batch_id)
    assert info["state"] == "done", info["error"]
    assert {k: info["counts"][k] for k in month.counts()} == month.counts()
    rows = ledger(settings, batch_id)
    assert [row["row"] for row in rows] == list(range(2, 3002))  # spreadsheet rows: the header is row 1
    assert {row["row"] - 1: row["outcome"] for row in rows} == month.expected
    for row in rows:
        if row["outcome"] == "rejected":
            assert row["code"] and row["reason"] and row["column"] is not None
        if row["outcome"] == "withheld":
            assert row["reason"].startswith(("当事人为未成年人", "涉及"))
        if row["outcome"] == "duplicate":
            assert row["reason"].startswith("与第")
    assert info["progress"] == {"done": 40, "total": 40}
    assert {u["unit"] for u in info["units"]} == set(month.units)


@pytest.mark.slow
def test_the_zip_holds_every_unit_once_and_the_reports(big_month):
    month = big_month["month"]
    with zipfile.ZipFile(big_month["zip"]) as archive:
        names = archive.namelist()
        assert len(names) == len(set(names)) == 2 * 40 + 2
        for unit in month.units:
            for fmt in ("pdf", "docx"):
                assert f"{unit}/{unit}-2025年6月-行政执法公示.{fmt}" in names
        for unit in month.empty_units:
            text = squash(pdf_text(archive.read(f"{unit}/{unit}-2025年6月-行政执法公示.pdf")))
            assert "未作出应当公示的行政执法决定" in text
        from openpyxl import load_workbook
        book = load_workbook(io.BytesIO(archive.read("汇总.xlsx")))
        assert book.sheetnames == ["概况", "单位统计", "不予公示", "逾期公示", "拒收的行", "重复的行", "逐行结果"]
        assert book["单位统计"].max_row == 41
        assert book["不予公示"].max_row - 1 == month.counts()["withheld"]
        assert book["拒收的行"].max_row - 1 == month.counts()["rejected"]
        assert book["逐行结果"].max_row - 1 == 3000
        published = archive.read("公示数据.csv").decode("utf-8-sig").splitlines()
        assert len(published) - 1 == month.counts()["published"]


@pytest.mark.slow
def test_no_masked_datum_survives_in_any_file(big_month):
    month = big_month["month"]
    secrets = {squash(s) for s in month.secrets}
    assert len(secrets) > 1000
    with zipfile.ZipFile(big_month["zip"]) as archive:
        texts = {"公示数据.csv": archive.read("公示数据.csv").decode("utf-8-sig")}
        for name in archive.namelist():
            if name.endswith(".pdf"):
                texts[name] = pdf_text(archive.read(name))
            elif name.endswith(".docx"):
                texts[name] = docx_text(archive.read(name))
    for name, text in texts.items():
        flat = squash(text)
        leaked = sorted(s for s in secrets if s in flat)
        assert not leaked, f"{name}: {leaked[:5]}"
    published_numbers = sum(squash(t).count("罚〔2025〕") for n, t in texts.items() if n.endswith(".docx"))
    assert published_numbers == month.counts()["published"]


def test_gbk_csv_and_xlsx_give_the_same_account(tmp_path):
    month = make_month(400, 8, empty=2, seed=11)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    from docgen.batch.plan import account
    from docgen.batch.readers import read_rows
    from docgen.batch.run import registry
    write_xlsx(month, tmp_path / "m.xlsx")
    plans = []
    for source, fmt in ((tmp_path / "m.xlsx", "xlsx"), (io.BytesIO(csv_bytes(month, "gbk")), "csv"),
                        (io.BytesIO(csv_bytes(month, "utf-8-sig")), "csv")):
        plans.append(account(read_rows(source, fmt), registry(settings), 2025, 6, ISSUED_ON))
    assert plans[0].units == plans[1].units == plans[2].units
    assert [(o.row, o.outcome, o.code) for o in plans[0].outcomes] == [(o.row, o.outcome, o.code) for o in plans[1].outcomes]
    assert {o.row - 1: o.outcome for o in plans[1].outcomes} == month.expected


def test_a_second_run_of_a_running_month_is_refused_and_a_rerun_replaces_the_result(tmp_path):
    from docgen.store import batches as batch_store
    from docgen.store.db import db_session
    month = make_month(30, 3, empty=1, seed=3)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    write_xlsx(month, tmp_path / "m.xlsx")
    content = (tmp_path / "m.xlsx").read_bytes()
    first = run_month(settings, content, "m.xlsx")
    second, job = start_batch(settings, JUDICIAL, content, "m.xlsx", "2025-06", run_here=True)
    with pytest.raises(Conflict) as refused:
        start_batch(settings, JUDICIAL, content, "m.xlsx", "2025-06", run_here=True)
    assert refused.value.code == "batch_running"
    other_month, _ = start_batch(settings, JUDICIAL, content, "m.xlsx", "2025-07", run_here=True)  # another month may run
    with db_session(settings, read_only=True) as session:
        assert batch_store.current(session, "disclosure", "2025-06").id == first  # the rerun has not finished
    execute(settings, job.id)
    with db_session(settings, read_only=True) as session:
        assert batch_store.current(session, "disclosure", "2025-06").id == second.id
    assert describe_batch(settings, first)["current"] is False


def test_issuing_a_month_twice_issues_each_notice_once(tmp_path):
    from sqlalchemy import func, select

    from docgen.store.db import db_session
    from docgen.store.models import Document
    month = make_month(40, 3, empty=1, seed=5)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    content = json.dumps(month.rows, ensure_ascii=False).encode()
    first = run_month(settings, content, "cases.json", issue=True)
    second = run_month(settings, content, "cases.json", issue=True)
    with db_session(settings, read_only=True) as session:
        issued = session.execute(select(Document.unit, func.count()).where(Document.doc_type == "disclosure")
                                 .group_by(Document.unit)).all()
    assert sorted(issued) == sorted((unit, 1) for unit in month.units)
    one, two = describe_batch(settings, first), describe_batch(settings, second)
    assert one["state"] == two["state"] == "done"
    assert {u["unit"]: u["document_id"] for u in one["units"]} == {u["unit"]: u["document_id"] for u in two["units"]}
    from docgen.batch.package import zip_chunks
    with zipfile.ZipFile(io.BytesIO(b"".join(zip_chunks(settings, second)))) as archive:
        pdf = archive.read(f"{month.units[0]}/{month.units[0]}-2025年6月-行政执法公示.pdf")
    assert "核验" in pdf_text(pdf)  # issued notices carry their verification mark


def test_a_unit_whose_render_fails_ends_the_batch_failed_with_the_reason(tmp_path, monkeypatch):
    month = make_month(20, 2, empty=0, seed=9)
    settings = fresh_settings(tmp_path, batch_processes=1)
    register(settings, month)
    content = json.dumps(month.rows, ensure_ascii=False).encode()
    batch, job = start_batch(settings, JUDICIAL, content, "cases.json", "2025-06", run_here=True)
    # The pool's processes come from a fork server: make the failure visible there through the data instead.
    from docgen.store.db import db_session
    from docgen.store.models import BatchUnit
    execute_plan_only(settings, batch.id)
    with db_session(settings) as session:
        row = session.query(BatchUnit).filter_by(batch_id=batch.id).first()
        row.cases_json = json.dumps([{"decision_number": "x"}])  # not a case: the notice cannot be validated
        broken = row.unit
    execute(settings, job.id)
    info = describe_batch(settings, batch.id)
    assert info["state"] == "failed" and info["error"]["code"] == "units_failed"
    assert broken in info["error"]["message"]
    # The month stays free for a corrected run.
    start_batch(settings, JUDICIAL, content, "cases.json", "2025-06", run_here=True)


def execute_plan_only(settings: Settings, batch_id: str) -> None:
    from docgen.batch.run import plan_batch
    from docgen.store.db import db_session
    from docgen.store.models import Batch
    with db_session(settings, read_only=True) as session:
        batch = session.get(Batch, batch_id)
        session.expunge(batch)
    plan_batch(settings, batch)


def test_a_batch_is_planned_in_a_process_of_its_own(tmp_path, monkeypatch):
    """Reading the rows leaves its memory in a short-lived process, not in the one that runs the job (a web worker):
    planning in this process fails the test; the batch is planned all the same, and a planner's error comes back
    whole (its code, message and the row issues)."""
    from docgen.batch import run

    def not_here(*args: Any) -> None:
        raise AssertionError("planned in the job's own process")

    monkeypatch.setattr(run, "plan_batch", not_here)
    month = make_month(40, 4, empty=0, seed=11)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    info = describe_batch(settings, run_month(settings, csv_bytes(month), "cases.csv"))
    assert info["state"] == "done" and info["counts"]["rows"] == 40, info

    # Bytes that are not UTF-8 far past the start the header check reads: found only while planning.
    content = csv_bytes(dataclasses.replace(month, rows=month.rows * 40), "utf-8")
    assert len(content) > 2 * 64 * 1024
    failed = describe_batch(settings, run_month(settings, content + b"\xff\xfe,\n", "cases.csv", period="2025-05"))
    line = content.count(b"\n") + 1
    assert failed["state"] == "failed", failed
    assert failed["error"] == {"code": "invalid_data", "message": f"第 {line} 行不是有效的 UTF-8 文本：文件的编码无法识别，"
                                                                  "请另存为“CSV UTF-8”"}, failed


def test_a_planner_s_unexpected_error_fails_the_batch_with_a_reason(tmp_path):
    """Not one of docgen's errors (here a stored period that is no month): the batch still ends failed, with a reason
    an administrator can act on, instead of staying in "planning"."""
    from sqlalchemy import update

    from docgen.store.db import db_session
    from docgen.store.models import Batch

    month = make_month(20, 2, empty=0, seed=12)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    batch, job = start_batch(settings, JUDICIAL, csv_bytes(month), "cases.csv", "2025-06", False, ISSUED_ON,
                             run_here=True)
    with db_session(settings) as session:
        session.execute(update(Batch).where(Batch.id == batch.id).values(period="2025-juni"))
    execute(settings, job.id)
    info = describe_batch(settings, batch.id)
    assert info["state"] == "failed", info
    assert info["error"] == {"code": "planning_failed", "message": "读取案件文件时发生内部错误，请联系管理员"}, info


@pytest.mark.parametrize("refused, message, allowed", [
    ("plan_with_clock", "cannot schedule new futures after interpreter shutdown", 0),  # a pool made during exit
    ("render_with_clock", "cannot schedule new futures after interpreter shutdown", 0),
    ("render_with_clock", "cannot schedule new futures after shutdown", 1),  # the running pool, flagged by exit
], ids=["planning", "rendering, new pool", "rendering, running pool"])
def test_a_batch_whose_process_is_shutting_down_is_handed_back_and_resumed(tmp_path, monkeypatch, refused, message,
                                                                           allowed):
    """A gunicorn worker recycled mid-batch: its executors refuse new work while the interpreter shuts down. The
    job goes back to the queue with its attempt not counted (not failed), the process takes no job any more, and
    the next process finishes the month."""
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from docgen.batch import pool
    from docgen.jobs import execute as execution
    from docgen.store.db import db_session
    from docgen.store.models import Batch, Job

    calls: list[str] = []

    class Closing(ProcessPoolExecutor):
        def submit(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            calls.append(fn.__name__)
            if fn.__name__ == refused and calls.count(refused) > allowed:
                raise RuntimeError(message)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", Closing)
    monkeypatch.setattr(execution, "_STOPPING", threading.Event())  # this test's "process"
    month = make_month(20, 2, empty=0, seed=13)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    batch, job = start_batch(settings, JUDICIAL, csv_bytes(month), "cases.csv", "2025-06", False, ISSUED_ON,
                             run_here=True)
    assert execute(settings, job.id)
    with db_session(settings, read_only=True) as session:
        row, state = session.get(Job, job.id), session.get(Batch, batch.id).state
        assert (row.state, row.attempts, row.error_json) == ("queued", 0, None)
        assert state == ("planning" if refused == "plan_with_clock" else "rendering")
    assert execution.stopping() and not execute(settings, job.id), "a stopping process claims no job"

    monkeypatch.setattr(execution, "_STOPPING", threading.Event())  # the next process
    monkeypatch.setattr(pool, "ProcessPoolExecutor", ProcessPoolExecutor)
    assert execute(settings, job.id)
    info = describe_batch(settings, batch.id)
    assert info["state"] == "done" and info["counts"]["rows"] == 20, info


def test_the_pool_holds_two_units_per_process_at_most(tmp_path, monkeypatch):
    """A process shutting down waits for every unit already handed to its pool: only a few are, at any time."""
    from concurrent.futures import ProcessPoolExecutor

    from docgen.batch import pool

    most: list[int] = []
    handed: list = []

    class Counting(ProcessPoolExecutor):
        def submit(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            handed.append(super().submit(fn, *args, **kwargs))
            most.append(sum(not future.done() for future in handed))  # in the pool's hands after this one
            return handed[-1]

    monkeypatch.setattr(pool, "ProcessPoolExecutor", Counting)
    month = make_month(60, 12, empty=0, seed=14)
    settings = fresh_settings(tmp_path, batch_processes=2)
    register(settings, month)
    info = describe_batch(settings, run_month(settings, csv_bytes(month), "cases.csv"))
    assert info["state"] == "done" and len(info["units"]) == 12, info
    assert len(most) >= 12 and max(most) <= 4, most


def test_the_readme_lists_every_accepted_column():
    from docgen.batch.columns import header_documentation
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for column in header_documentation():
        assert f"| {column['header']}" in readme, column["header"]


def test_the_batch_commands(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from docgen.cli import main
    month = make_month(25, 3, empty=1, seed=13)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    monkeypatch.setenv("DOCGEN_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("DOCGEN_TODAY", "2025-06-28")
    (tmp_path / "cases.csv").write_bytes(csv_bytes(month, "gb18030"))
    runner = CliRunner()
    made = runner.invoke(main, ["batch", "disclosure", str(tmp_path / "cases.csv"), "--month", "2025-06",
                                "-o", str(tmp_path / "out.zip"), "--issue"])
    assert made.exit_code == 0, made.output
    counts = month.counts()
    assert f"公示 {counts['published']}、不予公示 {counts['withheld']}、拒收 {counts['rejected']}" in made.output
    assert zipfile.is_zipfile(tmp_path / "out.zip")
    late = runner.invoke(main, ["batch", "late", "--month", "2025-06", "--json"])
    assert late.exit_code == 0, late.output
    assert {u["state"] for u in json.loads(late.output)["units"]} == {"published"}
    template = runner.invoke(main, ["batch", "template", "-o", str(tmp_path / "t.xlsx")])
    assert template.exit_code == 0 and (tmp_path / "t.xlsx").stat().st_size > 0
    wrong = runner.invoke(main, ["batch", "disclosure", str(tmp_path / "cases.csv"), "--month", "2025-6x",
                                 "-o", str(tmp_path / "bad.zip")])
    assert wrong.exit_code == 1 and "YYYY-MM" in wrong.output


def test_a_unit_whose_notices_carry_numbers_keeps_numbering_them(tmp_path):
    from docgen.store.db import db_session
    from docgen.store.models import Document
    from docgen.store.tokens import Caller as TokenCaller
    from docgen import issuing
    from docgen.store.audit import Actor
    month = make_month(12, 2, empty=0, seed=17)
    settings = fresh_settings(tmp_path)
    with session_scope(settings.effective_database_url) as session:
        add_unit(session, month.units[0], None, "enforcement", ("昌测公",), None)
        add_unit(session, month.units[1], None, "enforcement", (), None)
    may = {"issuer": {"name": month.units[0]}, "issue_date": "2025-06-02", "period": {"year": 2025, "month": 5},
           "cases": [], "doc_number": {"organ_code": "昌测公", "year": 2025}}
    issued = issuing.issue(settings, TokenCaller(0, "t", "judicial", None), Actor("t", "test"), "disclosure", may)
    assert issued.document.number == "昌测公〔2025〕1号"
    batch_id = run_month(settings, json.dumps(month.rows, ensure_ascii=False).encode(), "m.json", issue=True)
    numbers = {u["unit"]: u["number"] for u in describe_batch(settings, batch_id)["units"]}
    assert numbers == {month.units[0]: "昌测公〔2025〕2号", month.units[1]: ""}
    with db_session(settings, read_only=True) as session:
        assert session.query(Document).filter_by(doc_type="disclosure").count() == 3


def test_a_unit_whose_every_row_is_refused_gets_no_false_empty_notice(tmp_path):
    month = make_month(20, 3, empty=1, seed=19)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    broken_unit = month.units[0]
    rows = [dict(r, decision_date="2025-13-40", decision_number=r["decision_number"] + "\x0b")
            if r["unit"] == broken_unit else r for r in month.rows]
    batch_id = run_month(settings, json.dumps(rows, ensure_ascii=False).encode(), "m.json")
    info = describe_batch(settings, batch_id)
    assert info["state"] == "done", info["error"]
    held = {u["unit"]: u for u in info["units"]}[broken_unit]
    assert held["state"] == "held" and held["error"]["code"] == "all_rows_rejected"
    assert info["counts"]["units_held"] == 1
    from docgen.batch.package import zip_chunks
    with zipfile.ZipFile(io.BytesIO(b"".join(zip_chunks(settings, batch_id)))) as archive:
        assert not any(name.startswith(broken_unit + "/") for name in archive.namelist())
        assert f"{month.empty_units[0]}/{month.empty_units[0]}-2025年6月-行政执法公示.pdf" in archive.namelist()
        from openpyxl import load_workbook
        book = load_workbook(io.BytesIO(archive.read("汇总.xlsx")))  # control characters in a refused row: still readable
        assert any("均被拒收" in str(cell.value) for row in book["单位统计"].iter_rows() for cell in row)


def test_an_issued_notice_is_not_replaced_by_different_data(tmp_path):
    month = make_month(20, 2, empty=0, seed=23)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    run_month(settings, json.dumps(month.rows, ensure_ascii=False).encode(), "m.json", issue=True)
    changed = [dict(r, restrictions=["privacy"]) if i == 0 else r for i, r in enumerate(month.rows)]
    again = describe_batch(settings, run_month(settings, json.dumps(changed, ensure_ascii=False).encode(), "m.json",
                                               issue=True))
    assert again["state"] == "failed" and "请先作废原公示" in again["error"]["message"]
    assert {u["error"]["code"] for u in again["units"] if u["error"]} == {"published_notice_differs"}


def test_a_notice_cannot_be_dated_before_its_month(tmp_path):
    settings = fresh_settings(tmp_path)
    from docgen.errors import InvalidData
    with pytest.raises(InvalidData) as refused:
        start_batch(settings, JUDICIAL, b"[]", "m.json", "2025-06", issue_date=date(2025, 5, 31), run_here=True)
    assert refused.value.issues[0].code == "date_order"


def test_a_unit_interrupted_too_often_fails_instead_of_being_claimed_again(tmp_path):
    from datetime import timedelta

    from docgen.clock import utcnow
    from docgen.store import batches as batch_store
    from docgen.store.db import db_session
    from docgen.store.models import BatchUnit
    month = make_month(6, 1, empty=0, seed=2)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    batch, _ = start_batch(settings, JUDICIAL, json.dumps(month.rows, ensure_ascii=False).encode(), "m.json",
                           "2025-06", issue_date=ISSUED_ON, run_here=True)
    execute_plan_only(settings, batch.id)
    with db_session(settings) as session:
        unit = session.query(BatchUnit).filter_by(batch_id=batch.id).one()
        unit.state, unit.attempts, unit.lease_until = "running", 3, utcnow() - timedelta(seconds=1)
        unit_id = unit.id
    with db_session(settings) as session:
        assert batch_store.claim_unit(session, unit_id, 60) is None
    with db_session(settings, read_only=True) as session:
        unit = session.get(BatchUnit, unit_id)
        assert unit.state == "failed" and "多次中断" in unit.error_json


def test_personal_data_of_a_batch_is_kept_no_longer_than_needed(tmp_path):
    from datetime import timedelta

    from docgen.batch.retention import purge_old_runs
    from docgen.clock import utcnow
    from docgen.errors import Conflict as Refused
    from docgen.store.archive import open_storage
    from docgen.store.db import db_session
    from docgen.store.models import Batch, BatchUnit
    month = make_month(20, 2, empty=0, seed=41)
    settings = fresh_settings(tmp_path)
    register(settings, month)
    content = json.dumps(month.rows, ensure_ascii=False).encode()
    first = run_month(settings, content, "m.json")
    storage = open_storage(settings)
    import hashlib
    assert not storage.exists(hashlib.sha256(content).hexdigest())  # the input goes when the run ends
    with db_session(settings, read_only=True) as session:
        assert {u.cases_json for u in session.query(BatchUnit).filter_by(batch_id=first)} == {"[]"}
    second = run_month(settings, content + b" ", "m.json")
    assert purge_old_runs(settings, keep_days=30) == 0  # replaced, but not for long enough
    with db_session(settings) as session:
        session.get(Batch, first).finished_at = utcnow() - timedelta(days=31)
    assert purge_old_runs(settings, keep_days=30) == 1
    assert describe_batch(settings, first)["state"] == "purged"
    from docgen.batch.package import zip_chunks
    with pytest.raises(Refused):
        next(zip_chunks(settings, first))
    with zipfile.ZipFile(io.BytesIO(b"".join(zip_chunks(settings, second)))) as archive:  # shared files kept
        assert len(archive.namelist()) == 2 * 2 + 2


def test_a_handed_over_batch_job_is_requeued_without_using_up_its_attempts(tmp_path):
    """Celery: the job hands the units over; its lease running out while units wait is not a failure of the job."""
    from datetime import timedelta

    from docgen.clock import utcnow
    from docgen.store.db import db_session
    from docgen.store.models import Job
    from docgen.sweeper import sweep
    month = make_month(6, 1, empty=0, seed=4)
    settings = fresh_settings(tmp_path, job_threads=0)
    register(settings, month)
    batch, job = start_batch(settings, JUDICIAL, json.dumps(month.rows, ensure_ascii=False).encode(), "m.json",
                             "2025-06", issue_date=ISSUED_ON, run_here=True)
    execute_plan_only(settings, batch.id)
    for _ in range(5):
        with db_session(settings) as session:
            row = session.get(Job, job.id)
            row.state, row.attempts, row.lease_until = "running", 3, utcnow() - timedelta(seconds=1)
        sweep(settings)
        with db_session(settings, read_only=True) as session:
            row = session.get(Job, job.id)
            assert (row.state, row.attempts) == ("queued", 2)
