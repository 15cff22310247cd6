"""One error hierarchy: every class has a stable code, a Chinese message and an HTTP status."""

from __future__ import annotations

import inspect

import pytest

from docgen import errors

CLASSES = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.DocgenError)]


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_error_class_is_complete(cls):
    assert cls.__doc__ and cls.__name__ in errors.__doc__, "drawn in the module docstring"
    assert cls.code.isascii() and cls.code == cls.code.lower()
    assert 400 <= cls.http_status < 600
    assert any("\u4e00" <= c <= "\u9fff" for c in cls.message)


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_an_error_survives_pickling_with_all_it_carries(cls):
    """A batch's planner process sends its errors back pickled: code, message, issues and Retry-After arrive."""
    import pickle

    if cls is errors.InvalidData:
        error = cls([errors.Issue("/cases/0/party", "required", "缺少当事人")], "数据有误")
    else:
        error = cls("出错了", code="some_code", retry_after=7, log_detail="/srv/secret")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls and copy.__dict__ == error.__dict__ and copy.args == error.args
    assert copy.as_dict() == error.as_dict() and str(copy) == str(error)


def test_codes_are_unique():
    codes = [c.code for c in CLASSES]
    assert len(codes) == len(set(codes))


def test_api_maps_each_class_to_its_status(app):
    from docgen.web.problems import error_response

    with app.test_request_context("/api/v1/documents"):
        for cls in CLASSES:
            error = cls([]) if cls is errors.InvalidData else cls()
            response = error_response(error)
            assert response.status_code == cls.http_status and response.get_json(force=True)["code"] == cls.code
            assert response.mimetype == "application/problem+json"
            if cls.http_status >= 500:
                assert "错误编号" in response.get_json(force=True)["detail"], "a 5xx names its log reference, not its internals"
    with app.test_request_context("/verify/X"):
        page = error_response(errors.ServiceUnavailable())
        assert page.status_code == 503 and page.mimetype == "text/html" and "服务暂时不可用" in page.get_data(as_text=True)


@pytest.mark.parametrize("value", ["²", "١٢", "１", "-1", "0x10", ""])
def test_settings_read_only_ascii_digits(value):
    from docgen.config import Settings
    with pytest.raises(errors.ConfigurationProblem):
        Settings.from_env({"DOCGEN_PAGE_SIZE": value})


def test_a_truncated_or_corrupt_seal_is_refused_although_weasyprint_pads_truncated_images():
    import base64
    import io

    from PIL import Image, ImageFile

    import docgen.render.pdf  # noqa: F401  (WeasyPrint sets LOAD_TRUNCATED_IMAGES process-wide)
    from docgen.doctypes.signature import decode_seal
    from docgen.seal import demo_seal_png

    assert ImageFile.LOAD_TRUNCATED_IMAGES, "the condition this test guards against"
    png = demo_seal_png("昌吉市司法局")
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGBA").convert("RGB").save(jpeg, format="JPEG")
    for good in (png, jpeg.getvalue()):
        assert decode_seal(base64.b64encode(good).decode()).startswith(b"\x89PNG")
    for _ in range(2):  # the second time from the checked-seal memo: bad images are refused every time
        for bad in (png[: len(png) // 2], png[:-20], jpeg.getvalue()[:-300], png[:200] + b"\x00" * 50 + png[250:]):
            with pytest.raises(errors.InvalidData) as info:
                decode_seal(base64.b64encode(bad).decode())
            assert info.value.issues[0].code == "bad_image"


def test_a_seal_is_checked_once_and_gives_the_same_png(monkeypatch):
    """A unit's seal comes with every letter it issues: decoded, checked and compressed the first time only."""
    from docgen.doctypes import signature
    from docgen.seal import demo_seal_png

    png = demo_seal_png("昌吉市测试局")
    signature._NORMALISED.clear()
    first = signature.normalise_seal(png)
    calls: list[bytes] = []
    monkeypatch.setattr(signature, "_normalised", lambda raw, path: calls.append(raw) or b"")
    assert signature.normalise_seal(bytes(png)) == first and not calls
    assert signature.normalise_seal(png + b"\x00") == b"" and len(calls) == 1  # other bytes: checked afresh
