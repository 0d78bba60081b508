"""Run benchmarks: `python -m bench` (all) or `python -m bench nlp store` (some).

Each benchmark is a module `bench/<name>.py` with a `main(argv: list[str]) -> None` that prints
its figures; the list below is the order they run in.
"""

from __future__ import annotations

import importlib
import platform
import sys

BENCHMARKS = ["nlp", "store", "crawl", "alerts", "quiet", "spread", "console"]


def main(argv: list[str]) -> int:
    names = [a for a in argv if a in BENCHMARKS] or BENCHMARKS
    options = [a for a in argv if a not in BENCHMARKS]  # "--sizes 1000" keeps its value
    print(f"# machine: {platform.node()} {platform.machine()} {platform.processor() or ''} "
          f"python {platform.python_version()}")
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError:
            print(f"## {name}: not available")
            continue
        print(f"## {name}")
        module.main(options)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
