"""Re-judge the tenant-isolation breaks of an earlier explore folder with today's promise.

    python bench/explore_rejudge.py DIR [--out bench/results/explore_rejudge.json]

DIR is an explore `--out` folder: `experiments.jsonl` (one line per experiment, with its
request count) and `observations.jsonl` (every request, experiment after experiment, in the
same order). For each experiment that broke tenant isolation, the victims' own requests are
counted per phase and judged both ways: the fixed share it was judged on then
(`success >= 0.9`, the suite's confidence sequence) and the victims' share against their own
baseline share (`status_vs_baseline`, what explore judges now). Same data, two judgements.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from scenarios.explore.promises import ISOLATION, ISOLATION_DROP
from scenarios.runner.exchange import CAUGHT_IN_FLIGHT
from scenarios.runner.status_shift import judge_share_vs_baseline
from scenarios.spec.expectations import StatusDrop
from slo.decision import decide_ratio

CONFIDENCE = 0.95
FIXED_SHARE = 0.9  # the isolation promise before it compared with the baseline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = rejudged(args.folder)
    for row in rows:
        print(f"experiment {row['experiment']} {' '.join(row['faults'])}")
        for phase, judged in row["phases"].items():
            print(f"  {phase}: fixed share {judged['fixed']}; vs baseline {judged['vs_baseline']}")
            print(f"    {judged['detail']}")
    if args.out:
        document = {"folder": str(args.folder), "experiments": rows}
        args.out.write_text(json.dumps(document, indent=2) + "\n")
    return 0


def rejudged(folder: Path) -> list[dict[str, Any]]:
    experiments = _lines(folder / "experiments.jsonl")
    observations = _lines(folder / "observations.jsonl")
    rows, at = [], 0
    for number, experiment in enumerate(experiments, start=1):
        count = experiment.get("requests", 0)
        mine, at = observations[at : at + count], at + count
        if ISOLATION in experiment.get("broken", []):
            phases = _by_phase(mine)
            judged = {
                phase: _both(phases[phase], phases["baseline"]) for phase in ("fault", "recovery")
            }
            rows.append({"experiment": number, "faults": experiment["faults"], "phases": judged})
    return rows


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _by_phase(observations: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """The victims' own requests sent into each phase, by status."""
    own = [
        o
        for o in observations
        if o["source"] != "attack" and not o.get("extra", {}).get(CAUGHT_IN_FLIGHT)
    ]
    return {
        phase: Counter(o["status"] for o in own if o["phase"] == phase)
        for phase in ("baseline", "fault", "recovery")
    }


def _both(phase: Counter[str], baseline: Counter[str]) -> dict[str, str]:
    hits, n = phase["success"], phase.total()
    fixed = decide_ratio(hits, n, FIXED_SHARE, False, CONFIDENCE).verdict if n else "inconclusive"
    now = judge_share_vs_baseline(StatusDrop(max_drop=ISOLATION_DROP), phase, baseline, CONFIDENCE)
    return {"fixed": str(fixed), "vs_baseline": str(now.verdict), "detail": now.detail}


if __name__ == "__main__":
    raise SystemExit(main())
