"""A month's case export (XLSX, CSV, JSON Lines, JSON) read one row at a time into validated disclosure cases."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Sequence

from openpyxl import load_workbook

from docgen.batch.columns import (COLUMN_BY_KEY, SOURCE_COLUMNS, UNIT_SCHEMA, CellError, SourceColumn, cell_text,
                                  convert_cell, match_header)
from docgen.doctypes.disclosure import CASE
from docgen.doctypes.validation import character_issues, make_validator, schema_issues
from docgen.errors import InvalidData, Issue, MalformedJSON
from docgen.jsonio import parse_json_document
from docgen.text import clean_data

SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
MAX_ROWS = 100_000
MAX_CELL_CHARS = 5_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an XLSX is a zip: what it would inflate to, checked before opening
MAX_JSON_BYTES = 200 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024  # one JSON Lines case
SNIFF_BYTES = 64 * 1024
RAW_CHARS = 200
EXCEL_MAX_ROW = 1_048_576
ROW_SCHEMA = {**CASE, "title": "案件（批量导入的一行）", "properties": {"unit": UNIT_SCHEMA, **CASE["properties"]},
              "required": ["unit", *CASE["required"]]}


@dataclass(frozen=True)
class RowIssue:
    """One problem of one row: the column's Chinese header (or JSON pointer), a stable code, a Chinese message."""

    row: int
    column: str
    code: str
    message: str


@dataclass(frozen=True)
class SourceRow:
    """One input row: its number as the user sees it, and either its unit and case or its issues."""

    number: int
    unit: str | None
    case: dict[str, Any] | None  # the cleaned, valid disclosure case (without unit); None when there are issues
    issues: tuple[RowIssue, ...]
    raw: dict[str, str]  # cells as text by canonical header, each cut to RAW_CHARS, for the report


class RowReader:
    """The rows of one file, read as they are asked for; ``columns`` and ``warnings`` are known at once."""

    def __init__(self, rows: Iterator[SourceRow], closers: list[Callable[[], Any]], columns: tuple[str, ...] = (),
                 warnings: list[str] | None = None) -> None:
        self._rows = rows
        self._closers = closers
        self.columns = columns  # canonical headers found (XLSX/CSV); empty for JSON and JSON Lines
        self.warnings = warnings or []

    def __iter__(self) -> RowReader:
        return self

    def __next__(self) -> SourceRow:
        try:
            return next(self._rows)
        except BaseException:  # the end, or a file-level error: release the file either way
            self.close()
            raise

    def close(self) -> None:
        """Release the workbook and the file (the caller's own stream stays open)."""
        getattr(self._rows, "close", lambda: None)()
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> RowReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _file_error(code: str, message: str, path: str = "/file") -> InvalidData:
    return InvalidData([Issue(path, code, message)], message)


def detect_format(filename: str | None) -> str:
    """The format a file name's suffix says; InvalidData unsupported_format if none we read."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    named = f"不支持的文件类型“{suffix}”" if suffix else "无法从文件名判断格式"
    hint = "；请在 Excel 或 WPS 中另存为 .xlsx" if suffix in (".xls", ".et", ".ods", ".xlsm", ".wps") else ""
    raise _file_error("unsupported_format", f"{named}，请提交 .xlsx、.csv、.jsonl 或 .json 文件{hint}")


def read_rows(source: Path | str | BinaryIO, fmt: str | None = None) -> RowReader:
    """The rows of an export; file-level problems raise InvalidData at once (or, past the header, when met)."""
    name = str(source) if isinstance(source, (str, Path)) else getattr(source, "name", None)
    fmt = detect_format(name if isinstance(name, str) else None) if fmt is None else fmt
    if fmt not in _READERS:
        raise _file_error("unsupported_format", f"不支持的格式“{fmt}”，应为 xlsx、csv、jsonl 或 json")
    closers: list[Callable[[], Any]] = []
    try:
        return _READERS[fmt](_open(source, closers), closers)
    except BaseException:
        while closers:
            closers.pop()()
        raise


def _open(source: Path | str | BinaryIO, closers: list[Callable[[], Any]]) -> BinaryIO:
    """A seekable binary stream of the source (a pipe is copied to a spooled temporary file)."""
    if isinstance(source, (str, Path)):
        try:
            stream: BinaryIO = open(source, "rb")
        except OSError as exc:
            raise _file_error("unreadable_file", "无法打开文件") from exc
        closers.append(stream.close)
        return stream
    if getattr(source, "seekable", lambda: False)():
        return source
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    closers.append(spool.close)
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool  # type: ignore[return-value]


@functools.cache
def _validator() -> Any:
    return make_validator(ROW_SCHEMA)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- one row → SourceRow --------------------------------------------------------------------------------------------

def _column_of(pointer: str) -> str:
    """The header of the column a schema issue's pointer concerns (/party/name → 当事人), else the pointer."""
    parts = pointer.split("/")[1:]
    for key in (".".join(parts[:2]), parts[0] if parts else ""):
        if key in COLUMN_BY_KEY:
            return COLUMN_BY_KEY[key].header
    return COLUMN_BY_KEY["party.name"].header if parts == ["party"] else pointer


def _checked(number: int, data: dict[str, Any], raw: dict[str, str], issues: list[RowIssue],
             tabular: bool) -> SourceRow:
    """Clean and validate a row exactly as the disclosure API does a case (plus its unit)."""
    cleaned = clean_data(data)
    flagged = {issue.column for issue in issues}  # a cell reported already is not reported again as missing
    seen: set[tuple[str, str]] = set()
    for issue in schema_issues(_validator(), cleaned) or character_issues(cleaned):
        column = _column_of(issue.path) if tabular else issue.path
        if column not in flagged and (column, issue.code) not in seen:
            seen.add((column, issue.code))
            issues.append(RowIssue(number, column, issue.code, issue.message))
    unit = cleaned.get("unit") if isinstance(cleaned.get("unit"), str) else None
    if issues:
        return SourceRow(number, unit or None, None, tuple(issues), raw)
    return SourceRow(number, unit, {k: v for k, v in cleaned.items() if k != "unit"}, (), raw)


def _table_row(number: int, cells: Sequence[object], mapping: dict[int, SourceColumn]) -> SourceRow:
    """One spreadsheet row: convert each recognised cell, then validate."""
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    issues: list[RowIssue] = []
    for index, column in mapping.items():
        value = cells[index] if index < len(cells) else None
        if _blank(value):
            continue
        raw[column.header] = cell_text(value)[:RAW_CHARS]
        try:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise CellError("cell_too_long", f"“{column.header}”超过 {MAX_CELL_CHARS} 个字符")
            converted = convert_cell(column, value)
        except CellError as error:
            issues.append(RowIssue(number, column.header, error.code, error.message))
            continue
        if converted is not None:
            head, _, tail = column.key.partition(".")
            if tail:
                values.setdefault(head, {})[tail] = converted
            else:
                values[head] = converted
    issues += [RowIssue(number, column.header, "required", f"缺少必填项“{column.header}”")
               for column in mapping.values() if column.required and column.header not in raw]
    return _checked(number, values, raw, issues, tabular=True)


def _json_raw(item: dict[str, Any]) -> dict[str, str]:
    """A JSON case's fields as text by canonical header, like a spreadsheet row's."""
    raw = {}
    for column in SOURCE_COLUMNS:
        value: Any = item
        for part in column.key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
            raw[column.header] = text[:RAW_CHARS]
    return raw


def _json_row(number: int, item: Any) -> SourceRow:
    """One JSON case object with its "unit"."""
    if not isinstance(item, dict):
        issue = RowIssue(number, "", "malformed_json", "每一项应为一个 JSON 对象（一件案件，含 unit）")
        return SourceRow(number, None, None, (issue,), {})
    if isinstance(item.get("unit"), str):
        item = {**item, "unit": item["unit"].strip()}
    return _checked(number, item, _json_raw(item), [], tabular=False)


def _too_many_rows() -> InvalidData:
    return _file_error("too_many_rows", f"数据超过 {MAX_ROWS} 行，请按单位或日期分开提交")


# --- spreadsheets: XLSX and CSV ------------------------------------------------------------------------------------

def _tabular(rows: Iterator[tuple[int, Sequence[object]]], closers: list[Callable[[], Any]]) -> RowReader:
    """Header (the first non-empty row), column matching, then the data rows."""
    number, header = next(((n, cells) for n, cells in rows if not all(map(_blank, cells))), (0, ()))
    if not number:
        raise _file_error("no_header", "文件中没有表头行：第一个非空行应为列名")
    mapping: dict[int, SourceColumn] = {}
    unknown, warnings = [], []
    for index, name in enumerate(header):
        column = match_header(name)
        if column is None and not _blank(name):
            unknown.append(cell_text(name)[:40])
        elif column is None:
            continue
        elif column in mapping.values():
            warnings.append(f"列“{cell_text(name)}”与前面的列同指“{column.header}”，已忽略")
        else:
            mapping[index] = column
    missing = [c for c in SOURCE_COLUMNS if c.required and c not in mapping.values()]
    if missing:
        issues = [Issue(f"/columns/{c.header}", "missing_columns",
                        f"缺少必填列“{c.header}”（也可用列名：{'、'.join(c.aliases)}）") for c in missing]
        raise InvalidData(issues, f"缺少必填列：{'、'.join(c.header for c in missing)}（表头取自第 {number} 行）")
    if unknown:
        warnings.insert(0, f"已忽略无法识别的列：{'、'.join(unknown[:20])}" + ("等" if len(unknown) > 20 else ""))
    columns = tuple(column.header for column in mapping.values())
    return RowReader(_data_rows(rows, mapping), closers, columns, warnings)


def _data_rows(rows: Iterable[tuple[int, Sequence[object]]],
               mapping: dict[int, SourceColumn]) -> Iterator[SourceRow]:
    """Rows with a value in a recognised column (a pre-numbered 序号 alone does not make a row)."""
    count = 0
    for number, cells in rows:
        if all(_blank(cells[i]) for i in mapping if i < len(cells)):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _too_many_rows()
        yield _table_row(number, cells, mapping)


UNREADABLE_XLSX = "无法读取该 Excel 文件：文件已损坏、设有打开密码或不是 .xlsx 格式"


def _xlsx(stream: BinaryIO, closers: list[Callable[[], Any]]) -> RowReader:
    """The sheet 案件 (else the first) of a workbook, streamed."""
    _check_zip(stream)
    try:
        book = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
        closers.append(book.close)
        sheet = book["案件"] if "案件" in book.sheetnames else book.worksheets[0]
        sheet.reset_dimensions()  # exporters write wrong <dimension>s; read the rows that are there
        values = sheet.iter_rows(values_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors on a broken file
        raise _file_error("unreadable_file", UNREADABLE_XLSX) from exc
    return _tabular(_sheet_rows(values), closers)


def _check_zip(stream: BinaryIO) -> None:
    """Refuse what is not a zip, and a zip bomb, before openpyxl inflates anything."""
    start = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _file_error("unreadable_file", UNREADABLE_XLSX) from exc
    finally:
        stream.seek(start)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _file_error("file_too_large", "该 Excel 文件解压后超过 200 MB，请删除多余的工作表或分开提交")


def _sheet_rows(values: Iterator[tuple[object, ...]]) -> Iterator[tuple[int, Sequence[object]]]:
    """(row number, values): openpyxl yields an empty tuple for each row missing from the XML."""
    number = 0
    while True:
        try:
            cells = next(values)
        except StopIteration:
            return
        except Exception as exc:
            raise _file_error("unreadable_file", f"Excel 工作表第 {number + 1} 行附近内容损坏，无法读取") from exc
        number += 1
        if number > EXCEL_MAX_ROW:
            raise _file_error("unreadable_file", "Excel 工作表的行号超出上限，文件已损坏")
        yield number, cells


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GBK/GB18030"}


def _csv(stream: BinaryIO, closers: list[Callable[[], Any]]) -> RowReader:
    """CSV in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030; delimiter , ; or tab."""
    start = stream.tell()
    encoding = _detect_encoding(stream)
    wrapper = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")  # type: ignore[arg-type]
    closers.append(wrapper.detach)  # detached, not closed: the caller's stream stays open
    lines = _decoded_lines(wrapper, stream, start, encoding)
    peeked: list[str] = []
    for line in lines:
        peeked.append(line)
        if line.strip():
            break
    delimiter = max(",;\t", key=peeked[-1].count) if peeked else ","
    return _tabular(_csv_records(itertools.chain(peeked, lines), delimiter), closers)


def _detect_encoding(stream: BinaryIO) -> str:
    """BOM first; else a strict UTF-8 decode of the first 64 KiB that is not plain ASCII, else GB18030."""
    start = stream.tell()
    try:
        head = stream.read(4)
        for bom, name in _BOMS:
            if head.startswith(bom):
                return name
        stream.seek(start)
        while chunk := stream.read(SNIFF_BYTES):
            if chunk.isascii():  # ASCII is both: a GBK file may have its first Chinese past 64 KiB
                continue
            try:
                codecs.getincrementaldecoder("utf-8")("strict").decode(chunk, final=False)  # a cut tail is fine
                return "utf-8"
            except UnicodeDecodeError:
                return "gb18030"
        return "utf-8"
    finally:
        stream.seek(start)


def _decoded_lines(wrapper: io.TextIOWrapper, stream: BinaryIO, start: int, encoding: str) -> Iterator[str]:
    """The text lines; a byte sequence the encoding does not allow is a file-level error naming its line."""
    try:
        for line in wrapper:  # not ``yield from``: closing this generator must not close the caller's stream
            yield line
    except UnicodeDecodeError as exc:
        line = _line_of_bad_bytes(stream, start, encoding)
        raise _file_error("bad_encoding", f"第 {line} 行不是有效的 {ENCODING_NAMES[encoding]} 文本："
                                          "文件的编码无法识别，请另存为“CSV UTF-8”") from exc


def _line_of_bad_bytes(stream: BinaryIO, start: int, encoding: str) -> int:
    """The 1-based line of the first undecodable bytes (read again from the start, only on error)."""
    stream.seek(start)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line = 1
    while True:
        chunk = stream.read(SNIFF_BYTES)
        try:
            line += decoder.decode(chunk, final=not chunk).count("\n")
        except UnicodeDecodeError as exc:
            return line + exc.object[:exc.start].decode(encoding, "ignore").count("\n")
        if not chunk:
            return line


def _csv_records(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, Sequence[object]]]:
    """(record number, cells): a blank line is a record, as it is a row in Excel."""
    reader = csv.reader(lines, delimiter=delimiter)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _file_error("malformed_csv", f"第 {reader.line_num} 行附近的 CSV 格式有误（引号不配对或单元格过长）") from exc
        number += 1
        yield number, record


# --- JSON Lines and JSON --------------------------------------------------------------------------------------------

def _jsonl_rows(stream: BinaryIO) -> Iterator[SourceRow]:
    """One case object (with "unit") per line; blank lines skipped; a bad line is that row's issue."""
    count = 0
    for number, line in enumerate(_bounded_lines(stream), start=1):
        if line is not None and not line.strip():
            continue
        count += 1
        if count > MAX_ROWS:
            raise _too_many_rows()
        try:
            if line is None:
                raise MalformedJSON(f"该行超过 {MAX_LINE_BYTES // 1024} KB")
            item = parse_json_document(line)
        except MalformedJSON as error:
            yield SourceRow(number, None, None, (RowIssue(number, "", "malformed_json", error.message),), {})
            continue
        yield _json_row(number, item)


def _bounded_lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """Lines of at most MAX_LINE_BYTES; None stands for a longer one, which is skipped, not held in memory."""
    while line := stream.readline(MAX_LINE_BYTES + 1):
        if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield None


def _json(stream: BinaryIO, closers: list[Callable[[], Any]]) -> RowReader:
    """An array of case objects, or an object with a "cases" array (read whole: JSON cannot be streamed)."""
    content = stream.read(MAX_JSON_BYTES + 1)
    if len(content) > MAX_JSON_BYTES:
        raise _file_error("file_too_large", "JSON 文件超过 200 MB，请改用 JSON Lines 或分开提交")
    try:
        data = parse_json_document(content)
    except MalformedJSON as error:
        raise _file_error("malformed_json", error.message) from error
    items = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise _file_error("malformed_json", "JSON 文件应为案件数组，或含 cases 数组的对象")
    if len(items) > MAX_ROWS:
        raise _too_many_rows()
    return RowReader((_json_row(n, item) for n, item in enumerate(items, start=1)), closers)


_READERS: dict[str, Callable[[BinaryIO, list[Callable[[], Any]]], RowReader]] = {
    "xlsx": _xlsx, "csv": _csv, "json": _json,
    "jsonl": lambda stream, closers: RowReader(_jsonl_rows(stream), closers),
}
