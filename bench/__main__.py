"""Run every bench module's `main()` in turn: `python -m bench`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    failed = []
    for module_info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)])):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        if not callable(getattr(module, "main", None)):
            continue
        print(f"\n##### bench.{module_info.name}", flush=True)
        started = time.perf_counter()
        try:
            module.main()
        except Exception as error:  # one broken bench must not hide the others
            failed.append(module_info.name)
            print(f"bench.{module_info.name} failed: {error!r}", file=sys.stderr)
        print(f"##### bench.{module_info.name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
