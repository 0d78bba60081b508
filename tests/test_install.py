"""A non-editable install runs on its own: `tousu analyze` from an empty directory, no config file.

The wheel is built from a copy of the working tree (the files git would commit), so nothing in the
checkout can stand in for a file the wheel lacks, and installed with `pip install --no-deps
--target`: the dependencies come from this interpreter's site-packages. `python -S` keeps the
.pth files out, among them the editable install's finder that maps the packages to the checkout.
Building takes ~15 s (pip fetches setuptools for the isolated build); `.ci/run` also installs
into a fresh venv with the real dependencies.
"""

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

from knowledge.guides import SEED_GUIDES, read_guides
from reply_scripts.transfer import STARTER_LIBRARY, read_yaml
from tests.conftest import ROOT

POSTS = [{"text": "湖南移动乱扣费三个月，再不退费我就去工信部投诉"},
         {"title": "移动硬盘", "content": "这个移动硬盘读写速度挺快的"}]


def _working_tree(target):
    """Copy the tracked and new (not ignored) files of the checkout to `target`."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_installed_wheel_analyzes_from_an_empty_directory(tmp_path):
    src, installed, empty = tmp_path / "src", tmp_path / "site", tmp_path / "empty"
    empty.mkdir()
    _working_tree(src)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(installed), str(src)], check=True, capture_output=True, timeout=240)
    (empty / "posts.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("TOUSU_CONFIG", "PYTHONPATH")}
    env["PYTHONPATH"] = os.pathsep.join([str(installed), *site.getsitepackages()])

    def run(*args):
        result = subprocess.run([sys.executable, "-S", *args], cwd=empty, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    out = run(str(installed / "bin" / "tousu"), "analyze", "posts.jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["severity"] == 4 and rows[0]["relevant"] is True
    assert rows[0]["operators"] == ["移动"] and rows[0]["city"] is None
    assert rows[1]["relevant"] is False and rows[1]["severity"] == 0
    assert sorted(p.name for p in empty.iterdir()) == ["posts.jsonl"]  # nothing written here

    # Every package and data file came from the installed copy, none from the checkout.
    shipped = json.loads(run("-c", """
import json, sys
from demo.site import load_posts
from nlp.config import SHIPPED_KEYWORDS_DIR
from nlp.dictionary import load_dictionary
from nlp.prior import Prior
from reply_scripts.transfer import STARTER_LIBRARY, read_yaml
from knowledge.guides import SEED_GUIDES, read_guides
import tousu.cli.main
print(json.dumps({"keywords": str(SHIPPED_KEYWORDS_DIR), "guides": len(read_guides(SEED_GUIDES)),
                  "cities": len(load_dictionary(SHIPPED_KEYWORDS_DIR).cities),
                  "demo_posts": len(load_posts()), "scripts": len(read_yaml(STARTER_LIBRARY)),
                  "prior": Prior.load() is not None,
                  "files": sorted({m.__file__ for m in list(sys.modules.values())
                                   if getattr(m, "__file__", None)})}))
"""))
    assert shipped["keywords"] == str(installed / "keywords")
    assert shipped["cities"] == 14 and shipped["demo_posts"] > 200 and shipped["scripts"] == len(read_yaml(STARTER_LIBRARY))
    assert shipped["prior"] and shipped["guides"] == len(read_guides(SEED_GUIDES))
    # the dependencies may live in a venv inside the checkout; the project's own code may not
    from_checkout = [f for f in shipped["files"] if f.startswith(str(ROOT) + os.sep)
                     and "site-packages" not in Path(f).parts]
    assert not from_checkout
