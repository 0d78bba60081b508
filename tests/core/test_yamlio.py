"""Reading YAML: duplicate keys refused, and the parser's common problems said in Chinese."""

import pytest
import yaml

from core.yamlio import load_yaml, load_yaml_file, problem_zh


@pytest.mark.parametrize("text, zh", [
    ("a: [1, 2\n", "方括号 [ ] 没有闭合，或列表项之间缺少逗号"),
    ("a: {b: 1\n", "花括号 { } 没有闭合，或项之间缺少逗号"),
    ("a: b: c\n", "这里不能出现「键: 值」（冒号后要有空格，或缩进不对）"),
    ("a:\n\t- x\n", "有不能出现在这里的字符（例如用 Tab 缩进）"),
    ("a: 1\na: 2\n", "键 'a' 重复（第 1 行和第 2 行）"),
    ("a:\n  b: 1\n c: 2\n", "缩进不对（同一层的键要对齐）"),
    ("- a\nb: 1\n", "列表项「- 」的缩进不对"),
    ("a: 'x\n", "文件提前结束（引号或括号没有闭合）"),
    ("a: [\n", "这里缺少内容（括号没有闭合，或冒号、「- 」后缺少值）"),
])
def test_common_problems_in_chinese(text, zh):
    with pytest.raises(yaml.YAMLError) as err:
        load_yaml(text)
    assert problem_zh(err.value) == zh


def test_a_file_that_cannot_be_read_or_parsed_raises_the_callers_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text("a: [1, 2]\n", encoding="utf-8")
    assert load_yaml_file(good, KeyError) == {"a": [1, 2]}
    for path in (bad, tmp_path / "missing.yaml"):
        with pytest.raises(LookupError, match=rf"{path.name}: 无法读取 YAML"):
            load_yaml_file(path, LookupError)
