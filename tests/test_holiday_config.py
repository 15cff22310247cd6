"""An administrator extends the holiday calendar with a data file: no code change, through CLI and API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen import create_app
from docgen.cli import main
from docgen.errors import ConfigurationProblem

from docgen.config import Settings
from docgen.store.migrate import upgrade

from conftest import REGISTRY, make_token

YEAR_2027 = """year = 2027
status = "unconfirmed"
[[holidays]]
name = "元旦"
start = 2027-01-01
end = 2027-01-03
[regions.xinjiang]
name = "新疆维吾尔自治区"
"""


def _crossing_2027() -> dict:
    data = REGISTRY["opinion"].load_sample()
    data.update(issue_date="2026-12-18", deadline={"kind": "working_days", "days": 10})
    data["doc_number"]["year"] = 2026
    return data


@pytest.fixture()
def holiday_dir(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "holidays"
    folder.mkdir()
    monkeypatch.setenv("DOCGEN_HOLIDAY_DIRS", str(folder))
    return folder


def test_cli_uses_a_new_year_file(runner, tmp_path: Path, holiday_dir: Path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps(_crossing_2027(), ensure_ascii=False), encoding="utf-8")
    before = runner.invoke(main, ["validate", "opinion", str(source)])
    assert "2027年节假日数据缺失" in before.stderr
    (holiday_dir / "2027.toml").write_text(YEAR_2027, encoding="utf-8")
    after = runner.invoke(main, ["validate", "opinion", str(source)])
    assert after.exit_code == 0 and "2027年节假日数据缺失" not in after.stderr


def test_api_uses_a_new_year_file(holiday_dir: Path, tmp_path: Path, monkeypatch):
    (holiday_dir / "2027.toml").write_text(YEAR_2027, encoding="utf-8")
    monkeypatch.setenv("DOCGEN_INSTANCE_DIR", str(tmp_path / "instance"))
    settings = Settings.from_env()
    upgrade(settings.effective_database_url)
    client = create_app({"TESTING": True}).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = make_token(settings)["Authorization"]
    response = client.post("/api/v1/render/opinion?format=summary", json=_crossing_2027())
    # 12/21–12/31 give 9 working days; 1/1–1/3 are holidays now, so the 10th is Mon 1/4.
    assert not any("2027年节假日数据缺失" in w for w in response.get_json()["warnings"])
    docx = client.post("/api/v1/render/opinion?format=docx", json=_crossing_2027())
    warnings = json.loads(docx.headers.get("X-Docgen-Warnings", "[]"))
    assert not any("2027年节假日数据缺失" in w for w in warnings)
    assert any("2027年节假日数据尚未经正式通知确认" in w for w in warnings), "unconfirmed data is flagged"


def test_the_due_date_honours_the_new_holidays(holiday_dir: Path):
    from docgen.generate import prepare
    (holiday_dir / "2027.toml").write_text(YEAR_2027, encoding="utf-8")
    assert prepare("opinion", _crossing_2027())[1]["deadline_text"].find("即2027年1月4日前") > 0


def test_a_broken_holiday_file_is_a_configuration_problem(runner, holiday_dir: Path):
    (holiday_dir / "2027.toml").write_text("year = 2026\n", encoding="utf-8")
    with pytest.raises(ConfigurationProblem) as info:
        create_app({"TESTING": True})
    assert "2027.toml" in info.value.message
    result = runner.invoke(main, ["validate", "opinion", str(REGISTRY["opinion"].samples[0])])
    assert result.exit_code == 3 and "2027.toml" in result.stderr
