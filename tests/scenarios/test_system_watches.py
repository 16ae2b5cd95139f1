"""The expectations measured on the system itself (its memory, its /metrics) are judged
over the whole method only, and the junk methods are valid HTTP tokens no server knows."""

from __future__ import annotations

import random
import re

import pytest
from one_expectation import scenario
from pydantic import ValidationError

from chaos.faults.http_clients import junk_method

TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 token


@pytest.mark.parametrize("kind", ["memory_growth_mib", "metrics_growth_kib"])
def test_a_measure_of_the_whole_method_refuses_a_phase(kind: str) -> None:
    assert scenario(f"{kind}: 64").expectations
    with pytest.raises(ValidationError, match="over the whole method"):
        scenario(f"{{{kind}: 64, phase: fault}}")


def test_junk_methods_are_tokens_and_never_a_real_method() -> None:
    rng = random.Random(7)
    methods = [junk_method(rng) for _ in range(500)]
    assert all(TOKEN.match(m) for m in methods)
    assert len(set(methods)) == len(methods)
    assert not {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"} & set(methods)
