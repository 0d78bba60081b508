import json

import pytest

from nlp.model import NlpModel, read_metadata
from nlp.training import DataError, read_rows, train
from tests.conftest import ROOT


@pytest.mark.parametrize("line,message", [
    ("{oops", "not valid JSON"),
    ('{"severity": 2}', "needs `text`"),
    ('{"text": "移动", "severity": 9}', "severity must be 0-4"),
])
def test_bad_rows_name_the_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "severity": 1}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"bad.jsonl:2: .*{message}"):
        read_rows(path)


def test_rows_accept_demo_style_fields_and_imply_labels(tmp_path):
    path = tmp_path / "x_test.jsonl"
    path.write_text(json.dumps({"title": "标题", "content": "移动信号差", "tier": 2, "city": "长沙"},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    [row] = read_rows(path)
    assert row["text"] == "标题\n移动信号差" and row["severity"] == 2 and row["split"] == "test"
    assert row["relevant"] is True and row["negative"] is True and row["city"] == "长沙"


def test_rows_labeled_with_operators_and_intent(tmp_path):
    """docs/labeling.md: severity is the intent when ours is among the operators, else 0."""
    path = tmp_path / "x.jsonl"
    rows = [{"text": "电信宽带又断了，投诉了三次", "tier": 3, "operators": ["telecom"]},
            {"text": "移动联通都一样坑", "tier": 2, "operators": ["cmcc", "中国联通"]},
            {"text": "移动硬盘坏了", "tier": 2, "operators": []}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    telecom, both, neither = read_rows(path)
    assert (telecom["intent"], telecom["severity"], telecom["relevant"]) == (3, 0, False)
    assert telecom["about"] == {"中国移动": False, "中国联通": False, "中国电信": True,
                                "中国广电": False}
    assert (both["severity"], both["relevant"], both["operators"]) == (2, True, ["中国移动", "中国联通"])
    assert (neither["intent"], neither["severity"], neither["negative"]) == (2, 0, True)
    [unicom_view] = read_rows(path, ours="中国联通")[1:2]
    assert unicom_view["relevant"] is True


def test_shipped_labeled_set_is_large_and_valid():
    rows = [r for p in sorted((ROOT / "data" / "labeled").glob("*.jsonl")) for r in read_rows(p)]
    assert len(rows) >= 2000
    assert {r["severity"] for r in rows} == {0, 1, 2, 3, 4}
    assert sum(r["split"] == "test" for r in rows) >= 300


def test_keep_better_keeps_the_old_model(model_dir, tmp_path):
    import shutil

    target = tmp_path / "models"
    shutil.copytree(model_dir, target)
    before = read_metadata(target)["sha256"]
    poor = tmp_path / "poor.jsonl"
    lines = [json.dumps({"text": t, "severity": 1, "relevant": True}, ensure_ascii=False)
             for t in ("移动怎么查话费", "移动宽带怎么报修", "请问移动营业厅几点关门")]
    held_out = [json.dumps({"text": t, "severity": s, "relevant": True, "split": "test"},
                           ensure_ascii=False)
                for t, s in (("移动乱扣费，我要去工信部投诉", 4), ("移动网速太慢了，垃圾", 2),
                             ("移动扣了我五十块，要求退费", 3), ("请问移动宽带怎么续费", 1))]
    poor.write_text("\n".join(lines + held_out) + "\n", encoding="utf-8")
    summary = train(ROOT / "keywords", target, paths=[poor], corpus=False, keep_better=True,
                    progress=lambda m: None, min_df=1)
    assert summary["replaced"] is False
    assert read_metadata(target)["sha256"] == before
    NlpModel.load(target)
