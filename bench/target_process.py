"""Healthy-traffic latency with the system under test in the harness's process, or in its own.

    .venv/bin/python bench/target_process.py [--scenario metrics-latency-cascade] [--rounds 2]
                                             [--quick]

One world (embedded Postgres behind Toxiproxy), one scenario of the core suite, run in
alternating rounds against the reference orchestrator hosted two ways:
  1. in-process: uvicorn inside the harness's own event loop (how `gauntlet run` hosted
     it before the system under test became a command);
  2. own process: `python -m orchestrator.service`, started from the contract's
     environment (how every run hosts it now).
Prints the p50 and p95 of the successful baseline requests (healthy traffic, before any
fault) per hosting, and the ratio own ÷ in-process. Writes bench/results/target_process.json
(not with --quick, which runs one round).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


async def one_round(world, scenario, hosting: str, work: Path, seed: int) -> list[float]:
    from orchestrator.service import ServiceConfig, build_app
    from scenarios.runner.experiment import run_experiment
    from scenarios.runner.service_client import service_client
    from scenarios.runner.suite_run import CLIENT_TIMEOUT_S, contract_env, service_config
    from target.command import REFERENCE_COMMAND, running_target
    from target.in_loop import hosted

    spool = work / f"spool-{hosting}-{seed}"
    if hosting == "in-process":
        host = hosted(build_app(ServiceConfig.model_validate(service_config(world, spool))))
    else:
        host = running_target(
            REFERENCE_COMMAND, contract_env(world, spool), log_path=work / "target.log"
        )
    async with host as started:
        url = started if isinstance(started, str) else started.url
        world.service_url = url
        async with service_client(url, timeout_s=CLIENT_TIMEOUT_S) as client:
            result = await run_experiment(scenario, world, client, seed=seed, record=lambda o: None)
    return [
        o.observation.latency_ms
        for o in result.outcomes
        if o.observation.phase.value == "baseline" and o.observation.status == "success"
    ]


def main() -> None:
    from chaos.world import open_world
    from scenarios.spec.loader import load_suite

    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="metrics-latency-cascade")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, one round: checks that it runs; writes no results file",
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds = 1
    (scenario,) = [s for s in load_suite("core") if s.name == args.scenario]
    samples: dict[str, list[float]] = {"in-process": [], "own process": []}
    with tempfile.TemporaryDirectory() as tmp, open_world() as world:
        for round_index in range(args.rounds):
            for hosting in samples:
                latencies = asyncio.run(
                    one_round(world, scenario, hosting, Path(tmp), seed=7 + round_index)
                )
                samples[hosting].extend(latencies)
                print(f"round {round_index + 1} {hosting}: {len(latencies)} baseline requests")
    figures = {
        hosting: {
            "requests": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(statistics.quantiles(values, n=20)[18], 1),
        }
        for hosting, values in samples.items()
    }
    ratio = figures["own process"]["p50_ms"] / figures["in-process"]["p50_ms"]
    for hosting, figure in figures.items():
        print(
            f"{hosting:>12}: p50 {figure['p50_ms']} ms, p95 {figure['p95_ms']} ms "
            f"({figure['requests']} requests)"
        )
    print(f"p50 own process / in-process: {ratio:.2f}")
    result = {
        "scenario": args.scenario,
        "rounds": args.rounds,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "hostings": figures,
        "p50_ratio_own_over_in_process": round(ratio, 3),
    }
    if args.quick:
        return
    out = ROOT / "bench" / "results" / "target_process.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
