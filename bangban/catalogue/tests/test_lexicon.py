"""The search's dictionaries read from disk give what jieba and pypinyin give from memory.

``lexicon.py`` keeps jieba's word list and pypinyin's phrase table out of the web workers
(issue 15: about 130 MB a worker); the search must still cut and sound out every text
exactly as the two libraries do.
"""

from __future__ import annotations

import random

import pytest

from bangban.catalogue import lexicon, search


@pytest.fixture(scope="module")
def on_disk():
    return lexicon.Lexicon(lexicon.ensure())


def _texts(pieces: list[str], count: int, seed: int) -> list[str]:
    chance = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0xA000, 7)]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(chance.randint(1, 5)):
            roll = chance.random()
            if roll < 0.55:
                parts.append(chance.choice(pieces))
            elif roll < 0.65:
                parts.append(chance.choice(pieces)[:2])
            elif roll < 0.9:
                parts.append(chance.choice(chars))
            else:
                parts.append(chance.choice(["kfd", "X9", "2024"]))
        texts.append("".join(parts))
    return texts


def test_pinyin_read_from_the_file_is_pypinyins_own(on_disk):
    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PHRASES_DICT

    known = ["银行", "重庆", "行政", "长沙", "开饭店", "营业执照", "不动产登记", "残疾人证"]
    texts = known + _texts(sorted(PHRASES_DICT), 3000, seed=15)
    for text in texts:
        expected = (
            "".join(lazy_pinyin(text, errors="default")),
            "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")),
        )
        assert lexicon.pinyin(on_disk, text) == expected, text
    assert search.pinyin("银行") == ("yinhang", "yh")  # the phrase, not 银 + 行 (xing)


def test_jieba_cuts_with_the_file_as_with_its_dictionary_in_memory(on_disk):
    jieba = lexicon.import_jieba()
    in_memory = jieba.Tokenizer()
    in_memory.initialize()
    from_disk = search.new_tokenizer()
    assert from_disk.total == in_memory.total
    words = sorted(in_memory.FREQ)[::41]
    texts = ["我想开饭店办营业执照", "怎么办理新生儿出生医学证明"] + _texts(words, 2000, seed=16)
    for n, text in enumerate(texts):
        if n % 5 == 0:  # the catalogue's phrases, added as the index adds them
            for tokenizer in (in_memory, from_disk):
                tokenizer.add_word(words[n % len(words)] + "办", freq=2000)
        assert list(from_disk.cut_for_search(text)) == list(in_memory.cut_for_search(text)), text
