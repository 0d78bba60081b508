"""The keyword files' schema: a bad file is named with its key, in English for the CLI and in
Chinese for the console."""

from __future__ import annotations

import pytest

from nlp.dictionary import DictionaryError, load_dictionary


@pytest.mark.parametrize("name,content,expected,zh", [
    ("severity.yaml", "cues: {7: {x: 1.0}}\n", "tiers must be 0-4", "cues：等级只能是 0–4，不能是 7"),
    ("severity.yaml", "cues: {3: {x: 9}}\n", "weight 9.0 not in (0, 5]",
     "3级线索词「x」的权重 9.0 须大于 0、不大于 5"),
    ("categories.yaml", "categories: {不存在的分类: [a]}\n", "unknown categories",
     "没有这个分类：不存在的分类"),
    ("categories.yaml", "categories: []\n", "Input should be a valid dictionary", "应为映射（键: 值）"),
    ("brand.yaml", "operator: [\n", "invalid YAML", "第 2 行：不是有效的 YAML：这里缺少内容"),
    ("brand.yaml", "operator: [' ']\n", "empty term", "operator：不能有空词"),
    ("regions.yaml", "province: 湖南\ncities: {长沙: {aliases: [雨湖区]}, 湘潭: {aliases: [雨湖区]}}\n",
     "belongs to both", "别名「雨湖区」同时属于 长沙 和 湘潭"),
])
def test_bad_dictionary_file_is_named(keywords_copy, name, content, expected, zh):
    """English for the CLI, Chinese for the console; both name the file and the key."""
    (keywords_copy / name).write_text(content, encoding="utf-8")
    with pytest.raises(DictionaryError) as err:
        load_dictionary(keywords_copy)
    assert name in str(err.value) and expected in str(err.value)
    assert name in err.value.zh and zh in err.value.zh
