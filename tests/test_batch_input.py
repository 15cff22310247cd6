"""The input side of the monthly disclosure batch: real XLSX, CSV, JSON Lines and JSON files into validated rows."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from docgen.batch import readers
from docgen.batch.columns import (SOURCE_COLUMNS, CellError, convert_cell, header_documentation, match_header,
                                  normalize_header, write_template)
from docgen.batch.readers import RowIssue, SourceRow, detect_format, read_rows
from docgen.errors import InvalidData

UNIT = "昌吉市市场监督管理局"
# Aliases, a full-width （元）, a required-mark * and stray spaces, as real exports have them; 序号 is unknown.
HEADERS = ["执法单位", "文号", "决定类型", "当事人名称", "相对人类别", "信用代码", "法定代表人（负责人）", "电话",
           "主要违法事实", "处罚依据", "处罚类别", "处罚内容", " 罚没金额（元）* ", "作出决定日期", "其他人员",
           "不予公开情形", "序号"]
XLSX_ROWS: list[list[Any]] = [
    [UNIT, "昌市监罚〔2025〕12号", "行政处罚", "昌吉市某某商贸有限公司", "法人", "91652301MA78ABCD1X", "王某某",
     13912345678, "未按规定明码标价", "《明码标价和禁止价格欺诈规定》第二十一条", "警告、罚款", "警告并罚款", 5000.5,
     date(2025, 6, 5), None, "无", 1],
    [],
    [UNIT, "昌市监罚〔2025〕13号", "处罚", "张三", "自然人", None, None, 13800000000, "无证经营", None, "罚款",
     "罚款200元", 200, datetime(2025, 6, 18, 9, 30), "李四，王五", "未成年人", 2],
    [UNIT, "昌市监许〔2025〕3号", "行政许可", "昌吉市某某饭店", "个体工商户", "92652301MA78ABCD2Y", "赵某", None,
     "申请食品经营许可", None, None, "准予许可", None, date(2025, 6, 20), None, None, 3],
]
# The same rows as text, written the ways clerks write them.
CSV_ROWS: list[list[str]] = [
    [UNIT, "昌市监罚〔2025〕12号", "行政处罚", "昌吉市某某商贸有限公司", "法人", "91652301MA78ABCD1X", "王某某",
     "13912345678", "未按规定明码标价", "《明码标价和禁止价格欺诈规定》第二十一条", "警告；罚款", "警告并罚款",
     "￥5,000.50", "2025/6/5", "", "否", "1"],
    [],
    [UNIT, "昌市监罚〔2025〕13号", "行政处罚", " 张三 ", "natural_person", "", "", "13800000000", "无证经营", "", "罚款",
     "罚款200元", "200元", "2025年6月18日", "李四/王五", "当事人为未成年人", "2"],
    [UNIT, "昌市监许〔2025〕3号", "许可", "昌吉市某某饭店", "个体工商户", "92652301MA78ABCD2Y", "赵某", "",
     "申请食品经营许可", "", "", "准予许可", "", "20250620", "", "", "3"],
]
CASES: list[dict[str, Any]] = [
    {"decision_number": "昌市监罚〔2025〕12号", "decision_type": "行政处罚",
     "party": {"name": "昌吉市某某商贸有限公司", "type": "legal_person", "credit_code": "91652301MA78ABCD1X",
               "legal_representative": "王某某", "phone": "13912345678"},
     "facts": "未按规定明码标价", "basis": "《明码标价和禁止价格欺诈规定》第二十一条", "penalty_kinds": ["警告", "罚款"],
     "content": "警告并罚款", "amount": "5000.50", "decision_date": "2025-06-05"},
    {"decision_number": "昌市监罚〔2025〕13号", "decision_type": "行政处罚",
     "party": {"name": "张三", "type": "natural_person", "phone": "13800000000"},
     "facts": "无证经营", "penalty_kinds": ["罚款"], "content": "罚款200元", "amount": "200.00",
     "decision_date": "2025-06-18", "other_persons": ["李四", "王五"], "restrictions": ["minor"]},
    {"decision_number": "昌市监许〔2025〕3号", "decision_type": "行政许可",
     "party": {"name": "昌吉市某某饭店", "type": "individual_business", "credit_code": "92652301MA78ABCD2Y",
               "legal_representative": "赵某"},
     "facts": "申请食品经营许可", "content": "准予许可", "decision_date": "2025-06-20"},
]
CANONICAL = [column.header for column in SOURCE_COLUMNS]


def write_xlsx(path: Path, headers: list[Any], rows: list[list[Any]], title: str = "案件") -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str = "utf-8",
              prefix: str = "", delimiter: str = ",") -> Path:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes((prefix + text.getvalue()).encode(encoding))
    return path


def read_all(source: Any, fmt: str | None = None) -> list[SourceRow]:
    with read_rows(source, fmt) as rows:
        return list(rows)


def assert_cases(rows: list[SourceRow], numbers: list[int]) -> None:
    assert [row.issues for row in rows] == [()] * len(CASES)
    assert [(row.number, row.unit, row.case) for row in rows] == [(n, UNIT, c) for n, c in zip(numbers, CASES)]


def test_xlsx_with_typed_cells_aliases_and_an_empty_row(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "六月.xlsx", HEADERS, XLSX_ROWS)
    with read_rows(path) as rows:
        assert rows.warnings == ["已忽略无法识别的列：序号"]
        assert "罚没金额" in rows.columns and "序号" not in rows.columns
        found = list(rows)
    assert_cases(found, [2, 4, 5])
    assert found[0].raw["罚没金额"] == "5000.5" and found[0].raw["联系电话"] == "13912345678"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "utf-16"])
def test_csv_in_every_encoding_gives_the_same_cases(tmp_path: Path, encoding: str) -> None:
    delimiter = "\t" if encoding == "utf-16" else ","  # Excel's “Unicode text” is UTF-16 with tabs
    path = write_csv(tmp_path / "cases.csv", HEADERS, CSV_ROWS, encoding, delimiter=delimiter)
    assert_cases(read_all(path), [2, 4, 5])


def test_gbk_whose_first_64_kib_are_ascii(tmp_path: Path) -> None:
    keys = [match_header(h).key if match_header(h) else "seq" for h in HEADERS]  # field keys are headers too
    padding = ",,,\r\n" * 20_000  # 100 KB of rows with nothing in them
    path = write_csv(tmp_path / "late.csv", keys, CSV_ROWS, "gbk")
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r\n" + padding.encode(), 1))
    assert path.read_bytes()[:readers.SNIFF_BYTES].isascii()
    assert_cases(read_all(path), [20_002, 20_004, 20_005])


def test_semicolons_and_a_stream_that_cannot_seek(tmp_path: Path) -> None:
    content = write_csv(tmp_path / "a.csv", HEADERS, CSV_ROWS, delimiter=";").read_bytes()

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.inner = io.BytesIO(content)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            return self.inner.readinto(buffer)

    assert_cases(read_all(io.BufferedReader(Pipe()), "csv"), [2, 4, 5])


def test_json_lines_and_json(tmp_path: Path) -> None:
    objects = [{"unit": UNIT, **case} for case in CASES]
    lines = [json.dumps(objects[0], ensure_ascii=False), "", json.dumps(objects[1], ensure_ascii=False),
             json.dumps(objects[2], ensure_ascii=False)]
    (tmp_path / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_cases(read_all(tmp_path / "cases.jsonl"), [1, 3, 4])
    (tmp_path / "cases.json").write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    assert_cases(read_all(tmp_path / "cases.json"), [1, 2, 3])
    (tmp_path / "wrapped.json").write_text(json.dumps({"cases": objects}, ensure_ascii=False), encoding="utf-8")
    assert_cases(read_all(tmp_path / "wrapped.json"), [1, 2, 3])


def issues_of(rows: list[SourceRow]) -> dict[int, list[tuple[str, str]]]:
    return {row.number: [(i.column, i.code) for i in row.issues] for row in rows}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_malformed_rows_are_reported_and_the_rest_come_out(tmp_path: Path, kind: str) -> None:
    good = CSV_ROWS[0]
    bad = [list(good) for _ in range(5)]
    bad[0][13] = "2025-02-30"  # 决定日期
    bad[1][4] = "外星人"  # 当事人类型
    bad[2][3] = ""  # 当事人
    bad[3][12] = "-100"  # 罚没金额
    bad[4][5] = "12345"  # 统一社会信用代码: the schema's pattern
    rows = [good, *bad, CSV_ROWS[3]]
    path = (write_csv(tmp_path / "bad.csv", HEADERS, rows) if kind == "csv"
            else write_xlsx(tmp_path / "bad.xlsx", HEADERS, rows))
    found = read_all(path)
    assert issues_of(found) == {2: [], 3: [("决定日期", "invalid_date")], 4: [("当事人类型", "invalid_value")],
                                5: [("当事人", "required")], 6: [("罚没金额", "invalid_amount")],
                                7: [("统一社会信用代码", "bad_format")], 8: []}
    assert [row.case for row in found if not row.issues] == [CASES[0], CASES[2]]
    assert all(row.case is None and row.unit == UNIT for row in found[1:6])
    assert found[2].raw["当事人类型"] == "外星人" and "当事人" not in found[3].raw
    assert all(isinstance(issue, RowIssue) and issue.message for row in found for issue in row.issues)


def test_malformed_json_lines(tmp_path: Path) -> None:
    good = json.dumps({"unit": UNIT, **CASES[0]}, ensure_ascii=False)
    wrong_type = json.dumps({"unit": UNIT, **CASES[2], "party": {**CASES[2]["party"], "type": "company"}},
                            ensure_ascii=False)
    (tmp_path / "bad.jsonl").write_text("\n".join([good, "{not json", "", "[1, 2]", wrong_type, good]),
                                        encoding="utf-8")
    found = read_all(tmp_path / "bad.jsonl")
    assert issues_of(found) == {1: [], 2: [("", "malformed_json")], 4: [("", "malformed_json")],
                                5: [("/party/type", "not_allowed")], 6: []}
    assert found[-1].case == CASES[0] and found[3].raw["决定书文号"] == CASES[2]["decision_number"]


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    headers = [h for h in HEADERS if h not in ("当事人名称", "作出决定日期")]
    with pytest.raises(InvalidData) as caught:
        read_rows(write_csv(tmp_path / "cols.csv", headers, []))
    assert [(i.path, i.code) for i in caught.value.issues] == [("/columns/决定日期", "missing_columns"),
                                                              ("/columns/当事人", "missing_columns")]
    assert "当事人" in caught.value.message and "决定日期" in caught.value.message


def test_the_template_reads_back_empty_and_documents_every_column(tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    with path.open("wb") as stream:
        write_template(stream)
    with read_rows(path) as rows:
        assert (list(rows), rows.columns, rows.warnings) == ([], tuple(CANONICAL), [])
    book = load_workbook(path)
    sheet, notes = book["案件"], book["说明"]
    assert [cell.value for cell in sheet[1]] == CANONICAL
    assert [cell.font.bold for cell in sheet[1]] == [column.required for column in SOURCE_COLUMNS]
    assert sheet["A1"].comment is not None and len(sheet.data_validations.dataValidation) == 2
    assert [row[0] for row in notes.iter_rows(min_row=2, values_only=True)] == CANONICAL
    assert [doc["header"] for doc in header_documentation()] == CANONICAL
    book.close()


@pytest.mark.parametrize("content", [os.urandom(2048), b"PK\x03\x04 not really a zip", b""])
def test_a_corrupt_xlsx_is_unreadable(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "broken.xlsx").write_bytes(content)
    with pytest.raises(InvalidData) as caught:
        read_rows(tmp_path / "broken.xlsx")
    assert [i.code for i in caught.value.issues] == ["unreadable_file"]


def test_file_level_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", HEADERS, XLSX_ROWS)
    monkeypatch.setattr(readers, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(InvalidData) as caught:
        read_rows(path)
    assert caught.value.issues[0].code == "file_too_large"
    monkeypatch.setattr(readers, "MAX_ROWS", 2)
    rows = read_rows(write_csv(tmp_path / "many.csv", HEADERS, CSV_ROWS))
    assert next(rows).number == 2 and next(rows).number == 4
    with pytest.raises(InvalidData) as caught:
        next(rows)
    assert caught.value.issues[0].code == "too_many_rows"


def test_file_level_problems(tmp_path: Path) -> None:
    for name, code in (("cases.xls", "unsupported_format"), ("cases", "unsupported_format")):
        with pytest.raises(InvalidData) as caught:
            detect_format(name)
        assert caught.value.issues[0].code == code
    (tmp_path / "empty.csv").write_bytes(b"\r\n\r\n")
    with pytest.raises(InvalidData) as caught:
        read_rows(tmp_path / "empty.csv")
    assert caught.value.issues[0].code == "no_header"
    assert read_all(write_csv(tmp_path / "header-only.csv", HEADERS, [])) == []
    # UTF-8 where the first 64 KiB decide, and a GBK line far below: the error names the line.
    path = write_csv(tmp_path / "mixed.csv", HEADERS, [["" for _ in HEADERS]] * 30_000)
    path.write_bytes(path.read_bytes() + ",".join(CSV_ROWS[0]).encode("gbk") + b"\r\n")
    with pytest.raises(InvalidData) as caught:
        read_all(path)
    assert caught.value.issues[0].code == "bad_encoding" and "第 30002 行" in caught.value.message


def test_a_long_cell_is_a_row_issue(tmp_path: Path) -> None:
    row = list(CSV_ROWS[0])
    row[8] = "事" * (readers.MAX_CELL_CHARS + 1)
    found = read_all(write_csv(tmp_path / "long.csv", HEADERS, [row]))
    assert issues_of(found) == {2: [("违法事实", "cell_too_long")]}
    assert len(found[0].raw["违法事实"]) == readers.RAW_CHARS


def test_every_header_and_alias_names_one_column() -> None:
    names = [name for c in SOURCE_COLUMNS for name in {normalize_header(n) for n in (c.header, *c.aliases, c.key)}]
    assert len(names) == len(set(names))
    assert normalize_header(" 罚没金额(元)* ") == normalize_header("罚没金额") == "罚没金额"
    assert match_header("PARTY.NAME").header == "当事人" and match_header("罚款金额（万元）") is None


COLUMN = {column.key: column for column in SOURCE_COLUMNS}


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("amount", 5000, "5000.00"), ("amount", 5000.5, "5000.50"), ("amount", "5,000.00", "5000.00"),
    ("amount", "5000元", "5000.00"), ("amount", "￥5000", "5000.00"), ("amount", "3.27万元", "32700.00"),
    ("amount", 0.1 + 0.2, "0.30"), ("amount", "0", "0.00"),
    ("decision_date", date(2025, 6, 5), "2025-06-05"), ("decision_date", "2025-06-05", "2025-06-05"),
    ("decision_date", "2025/6/5", "2025-06-05"), ("decision_date", "2025.6.5", "2025-06-05"),
    ("decision_date", "2025年6月5日", "2025-06-05"), ("decision_date", "20250605", "2025-06-05"),
    ("decision_date", 20250605, "2025-06-05"), ("decision_date", 45813, "2025-06-05"),
    ("decision_date", "2025-06-05 00:00:00", "2025-06-05"),
    ("party.type", "其他组织", "other_org"), ("party.type", "非法人组织", "other_org"),
    ("party.type", "Legal_Person", "legal_person"), ("decision_type", "强制", "行政强制"),
    ("restrictions", "无", None), ("restrictions", "国家秘密、商业秘密", ["state_secret", "trade_secret"]),
    ("restrictions", "公开后可能危及国家安全、公共安全、经济安全和社会稳定", ["security"]),
    ("restrictions", "privacy;隐私", ["privacy"]), ("penalty_kinds", "警告\n罚款", ["警告", "罚款"]),
    ("party.credit_code", 91652301, "91652301"), ("party.phone", 13912345678.0, "13912345678"),
])
def test_cell_conversion(key: str, value: Any, expected: Any) -> None:
    assert convert_cell(COLUMN[key], value) == expected


@pytest.mark.parametrize(("key", "value", "code"), [
    ("amount", -5, "invalid_amount"), ("amount", "-5", "invalid_amount"), ("amount", "五千", "invalid_amount"),
    ("amount", "5000.555", "invalid_amount"), ("amount", "5,00", "invalid_amount"), ("amount", True, "invalid_amount"),
    ("decision_date", "2025-02-30", "invalid_date"), ("decision_date", "6/5/2025", "invalid_date"),
    ("party.type", "公司", "invalid_value"), ("restrictions", "涉密", "invalid_value"),
    ("decision_type", "行政奖励", "invalid_value"),
    ("party.id_number", 110101199001011234, "number_precision"), ("party.id_number", "1.10101E+17", "number_precision"),
])
def test_cell_conversion_errors(key: str, value: Any, code: str) -> None:
    with pytest.raises(CellError) as caught:
        convert_cell(COLUMN[key], value)
    assert caught.value.code == code and caught.value.message
