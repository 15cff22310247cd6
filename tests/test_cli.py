"""The docgen command: types, validate, render; invalid input leaves nothing behind."""

from __future__ import annotations

import json
from pathlib import Path

from docgen.cli import main

from conftest import REGISTRY, load_json


def test_types_lists_every_type(runner):
    result = runner.invoke(main, ["types"])
    assert result.exit_code == 0
    for slug, doctype in REGISTRY.items():
        assert f"{slug}\t{doctype.title}" in result.output


def test_validate_ok(runner, sample):
    slug, path = sample
    result = runner.invoke(main, ["validate", slug, str(path)])
    assert result.exit_code == 0, result.output
    assert "校验通过" in result.output


def test_render_both_prints_paths(runner, tmp_path: Path, doctype):
    path = doctype.samples[0]
    result = runner.invoke(main, ["render", doctype.slug, str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.stdout.splitlines()]
    assert [p.suffix for p in written[:2]] == [".docx", ".pdf"]
    assert [p.name for p in written[2:]] in ([], [f"{path.stem}.summary.json"])
    assert written[0].read_bytes()[:2] == b"PK" and written[1].read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)


def test_render_one_format(runner, tmp_path: Path, doctype):
    result = runner.invoke(main, ["render", doctype.slug, str(doctype.samples[0]), "-o", str(tmp_path), "--format", "pdf"])
    assert result.exit_code == 0
    assert sorted(p.suffix for p in tmp_path.iterdir() if not p.name.endswith(".summary.json")) == [".pdf"]


def test_invalid_input_lists_every_problem_and_writes_nothing(runner, tmp_path: Path, doctype):
    data = doctype.load_sample()
    data["bogus"] = 1
    data.pop(doctype.schema["required"][0])
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    outdir = tmp_path / "out"
    result = runner.invoke(main, ["render", doctype.slug, str(source), "-o", str(outdir)])
    assert result.exit_code == 1
    assert "/bogus" in result.stderr and f"/{doctype.schema['required'][0]}" in result.stderr
    assert "[unknown_field]" in result.stderr and "[required]" in result.stderr
    assert not outdir.exists() or not any(outdir.iterdir())


def test_errors_as_json(runner, tmp_path: Path):
    source = tmp_path / "bad.json"
    source.write_text("{", encoding="utf-8")
    result = runner.invoke(main, ["validate", "opinion", str(source), "--json"])
    assert result.exit_code == 1
    body = json.loads(result.stderr)
    assert body["code"] == "malformed_json" and "第 1 行" in body["message"]


def test_unwritable_output_directory(runner, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(main, ["render", "opinion", str(REGISTRY["opinion"].samples[0]), "-o", str(blocker / "out")])
    assert result.exit_code == 3 and "无法写入输出目录" in result.stderr


def test_unknown_type(runner, tmp_path: Path):
    result = runner.invoke(main, ["render", "nope", str(REGISTRY["opinion"].samples[0]), "-o", str(tmp_path)])
    assert result.exit_code == 3 and "未知的文书类型" in result.stderr


def test_stdin_and_calendar_warning(runner, tmp_path: Path):
    data = load_json(REGISTRY["opinion"].samples[0])
    data["issue_date"], data["doc_number"]["year"] = "2026-12-20", 2026
    data["deadline"] = {"kind": "working_days", "days": 15}
    result = runner.invoke(main, ["render", "opinion", "-", "-o", str(tmp_path), "--format", "docx"],
                           input=json.dumps(data, ensure_ascii=False))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "document.docx").is_file()
    assert "警告：2027年节假日数据缺失" in result.stderr


def test_db_upgrade_and_token_create(runner, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DOCGEN_INSTANCE_DIR", str(tmp_path / "inst"))
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0 and "数据库已是最新结构" in result.output
    assert (tmp_path / "inst" / "docgen.sqlite3").is_file()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0, "running it again is harmless"
    unregistered = runner.invoke(main, ["token", "create", "--unit", "昌吉市市场监督管理局", "--role", "unit"])
    assert unregistered.exit_code != 0 and "未登记" in unregistered.output
    assert runner.invoke(main, ["unit", "add", "昌吉市市场监督管理局", "--organ-code", "昌市监"]).exit_code == 0
    made = runner.invoke(main, ["token", "create", "--unit", "昌吉市市场监督管理局", "--role", "unit"])
    assert made.exit_code == 0 and made.stdout.strip().startswith("dg_")
    refused = runner.invoke(main, ["token", "create", "--role", "unit"])
    assert refused.exit_code != 0 and "必须指定单位" in refused.output


def test_token_list_and_revoke(runner, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DOCGEN_INSTANCE_DIR", str(tmp_path / "inst"))
    runner.invoke(main, ["db", "upgrade"])
    runner.invoke(main, ["unit", "add", "昌吉市交通运输局", "--organ-code", "昌交"])
    secret = runner.invoke(main, ["token", "create", "--unit", "昌吉市交通运输局"]).stdout.strip()
    listing = runner.invoke(main, ["token", "list"]).stdout
    assert "昌吉市交通运输局" in listing and secret not in listing and "有效" in listing
    assert runner.invoke(main, ["token", "revoke", "1"]).exit_code == 0
    assert "已吊销" in runner.invoke(main, ["token", "list"]).stdout
    from docgen import create_app
    client = create_app({"TESTING": True}).test_client()
    assert client.get("/api/v1/documents", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert runner.invoke(main, ["token", "revoke", "99"]).exit_code != 0
