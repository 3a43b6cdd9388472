"""Benchmark row: import the real third-party catalog, then import it again unchanged.

    .venv/bin/python scripts/bench_import.py [--real-catalog ../shared/real_catalog]

Converts the catalog with the converter that ships beside it into a temporary folder (the
data is not ours: nothing made from it stays), builds a temporary SQLite database (migrate
and load_demo, so the demo's "MediaTek" meets the file's "Mediatek"), then times
``manage.py import_catalog`` twice and prints both durations and the summaries. Targets:
the import under 30 s, short enough for an editor to wait for; the re-import a fraction of
that, writing nothing ("0 new, 0 updated"). Timings include starting Django, as an editor
would see them.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_CATALOG = ROOT.parent / "shared" / "real_catalog"
TARGET_SECONDS = 30


def manage(env, *args):
    """Run manage.py; (seconds taken, what it printed)."""
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - started, done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real-catalog", type=Path, default=DEFAULT_CATALOG)
    args = parser.parse_args()
    converter = args.real_catalog / "convert.py"
    if not converter.exists():
        print(f"skipped: no real catalog at {args.real_catalog}")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        catalog = Path(folder) / "real.json"
        subprocess.run([PYTHON, str(converter), str(catalog)], check=True, capture_output=True)
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        env.pop("REDIS_URL", None)
        manage(env, "migrate", "-v0")
        manage(env, "load_demo")
        first, first_out = manage(env, "import_catalog", str(catalog))
        second, second_out = manage(env, "import_catalog", str(catalog))
    print(f"import:    {first:5.1f} s  (target < {TARGET_SECONDS} s)  {first_out.splitlines()[0]}")
    print(f"re-import: {second:5.1f} s  ({second / first:.0%} of the import)  "
          f"{second_out.splitlines()[0]}")  # fmt: skip
    return 0 if first < TARGET_SECONDS and "(0 new, 0 updated" in second_out else 1


if __name__ == "__main__":
    sys.exit(main())
