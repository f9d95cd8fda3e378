"""Time a full cartridge export (build + validation) of both CC versions, and report the sizes.

    python bench/export.py [--runs N]

Each run is one call to ``export_cartridge`` (programme already loaded, schemas compiled by a
first warm-up run, as in a long-lived process); the first-call time, with schema compilation and
rubric loading, is printed separately. Goal: under 0.5 s per export.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imscc_export import export_cartridge  # noqa: E402
from programme import load_programme  # noqa: E402

TOOL_URL = "https://cimp.example.org"
GOAL_SECONDS = 0.5


def _timed(function) -> tuple[float, bytes]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per version (default 20)")
    options = parser.parse_args()
    programme = load_programme()
    print(
        f"{'version':8} {'first':>9} {'best':>9} {'median':>9} {'size':>10}   runs={options.runs}"
    )
    worst_median = 0.0
    for version in ("1.1", "1.3"):

        def export() -> bytes:
            return export_cartridge(TOOL_URL, version, programme)

        first, data = _timed(export)
        times = [_timed(export)[0] for _ in range(options.runs)]
        median = statistics.median(times)
        worst_median = max(worst_median, median)
        print(
            f"CC {version:5} {first * 1000:7.1f}ms {min(times) * 1000:7.1f}ms "
            f"{median * 1000:7.1f}ms "
            f"{len(data):8d} B"
        )
    verdict = "within" if worst_median < GOAL_SECONDS else "ABOVE"
    print(f"goal: median under {GOAL_SECONDS * 1000:.0f} ms per export -> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
