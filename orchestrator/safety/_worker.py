"""A validator worker process: one JSON request per line in, one verdict per line out.

Started by `ValidatorPool` as `python -m orchestrator.safety._worker`, not through
multiprocessing, so the parent's main module is never imported again in the child.
JSON with ASCII escapes carries any text, lone surrogates included.
"""

from __future__ import annotations

import json
import sys

from ._result import QueryValidation
from ._validator import validate_direct_query


def encode(verdict: QueryValidation) -> str:
    violations = [[v.code, v.message] for v in verdict.violations]
    return json.dumps({"is_safe": verdict.is_safe, "violations": violations, "sql": verdict.sql})


def main() -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        verdict = validate_direct_query(request["query"], **request["options"])
        print(encode(verdict), flush=True)


if __name__ == "__main__":
    main()
