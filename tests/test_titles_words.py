"""Titles are segmented with jieba's dictionary looked up on disk (docgen.word_freq): the same words as jieba's
own in-memory dictionary gives, without loading it whole."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import jieba
import pytest

from docgen import word_freq
from docgen.titles import _segmenter

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    """Every string of every sample, cut at punctuation, plus random pieces of them."""
    strings: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted((ROOT / "samples").glob("*.json")):
        walk(json.loads(path.read_text("utf-8")))
    pieces = [p for s in strings for p in re.split(r"[。；！？\n]", s) if re.search(r"[\u4e00-\u9fff]", p)]
    rng = random.Random(9704)
    joined = "".join(pieces)
    pieces += [joined[start:start + rng.randint(4, 60)] for start in rng.sample(range(max(1, len(joined) - 60)), 300)]
    pieces += ["关于对昌吉市市场监督管理局行政执法案卷评查发现问题限期整改的行政执法监督意见书",
               "乌鲁木齐市米东区人民政府关于买买提·艾力等三人违法占地案的处理决定", "ABC测试123混合文本，含English单词"]
    return pieces


@pytest.fixture(scope="module")
def whole_dictionary():
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def test_the_disk_dictionary_segments_like_jiebas_own(whole_dictionary):
    ours = _segmenter()
    assert isinstance(ours.FREQ, word_freq.DiskFreq), "titles use the dictionary on disk"
    texts = _texts()
    assert len(texts) > 300
    for text in texts:
        assert list(ours.cut(text, HMM=True)) == list(whole_dictionary.cut(text, HMM=True)), text
    assert ours.total == whole_dictionary.total and len(ours.FREQ) == len(whole_dictionary.FREQ)


def test_lookups_answer_like_the_dict(whole_dictionary):
    freq = _segmenter().FREQ
    rng = random.Random(1)
    words = rng.sample(sorted(whole_dictionary.FREQ), 2000)
    for word in words:
        assert word in freq and freq[word] == whole_dictionary.FREQ[word] == freq.get(word)
    for missing in ("", "不是一个词语吧", "zzzz", "\U0002a700\U0002a701"):
        assert missing not in freq and freq.get(missing, -1) == -1
        with pytest.raises(KeyError):
            freq[missing]


def test_a_damaged_file_is_written_again(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path))
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("执法 100 v\n监督 80 v\n执法监督 20 n\n", encoding="utf-8")
    first = word_freq.disk_freq(dictionary)
    assert first.get("执法监督") == 20 and first.get("执法监") == 0 and "督" not in first
    (path,) = (tmp_path / "words").glob("freq-*.bin")
    path.write_bytes(path.read_bytes()[:-3])  # truncated
    again = word_freq.disk_freq(dictionary)
    assert again.get("执法监督") == 20 and again.total == 200
