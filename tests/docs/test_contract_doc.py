"""docs/contract.md's environment table stays in step with the variables the code reads.

The names come from `contract._environment` at test time (its module-level
string constants that name a variable), so a variable added there without a row in the
table, or a row left behind for a variable the code no longer reads, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract import _environment as _env_contract

CONTRACT_DOC = Path(__file__).resolve().parents[2] / "docs" / "contract.md"
TABLE_HEADING = "### Environment"
_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# A family of variables has one row, its name ending in `<NAME>` (`GAUNTLET_UPSTREAM_<NAME>`);
# the code names the family by its prefix.
_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)(?:<NAME>)?`\s*\|\s*([^|]*?)\s*\|")


def variables_the_code_reads() -> set[str]:
    return {
        value
        for name, value in vars(_env_contract).items()
        if name.isupper() and isinstance(value, str) and _VARIABLE_NAME.fullmatch(value)
    }


def required_variables() -> set[str]:
    # PORT is not in REQUIRED (the config does not hold it) but `listen_address` refuses
    # to start without it.
    return {*_env_contract.REQUIRED, _env_contract.PORT}


def documented_rows() -> dict[str, str]:
    """Variable -> its `required` cell, from the table under the Environment heading."""
    lines = CONTRACT_DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(TABLE_HEADING)
    rows: dict[str, str] = {}
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        match = _ROW.match(line)
        if match:
            assert match.group(1) not in rows, f"{match.group(1)} has two rows in the table"
            rows[match.group(1)] = match.group(2)
    return rows


def test_the_code_reads_the_variables_this_test_expects() -> None:
    # Guards the discovery itself: an empty or partial set would make the checks below vacuous.
    read = variables_the_code_reads()
    assert required_variables() <= read
    assert {_env_contract.SPOOL_DIR, _env_contract.REQUEST_DEADLINE} <= read


def test_every_variable_the_code_reads_has_a_row() -> None:
    missing = variables_the_code_reads() - documented_rows().keys()
    assert not missing, f"{CONTRACT_DOC.name}: no row for {sorted(missing)}"


def test_every_gauntlet_variable_in_the_table_is_read_by_the_code() -> None:
    documented = {name for name in documented_rows() if name.startswith("GAUNTLET_")}
    stale = documented - variables_the_code_reads()
    assert not stale, f"{CONTRACT_DOC.name}: rows for variables the code does not read {stale}"


@pytest.mark.parametrize("variable", sorted(variables_the_code_reads()))
def test_required_column_matches_the_code(variable: str) -> None:
    cell = documented_rows().get(variable)
    if cell is None:
        pytest.fail(f"{CONTRACT_DOC.name}: no row for {variable}")
    expected = "yes" if variable in required_variables() else "no"
    assert cell == expected, f"{variable}: required column says {cell!r}, the code: {expected!r}"
