"""The harness's shared vocabulary: the words chaos, load, scenarios and slo all speak.

One concept per module; every harness package imports this one, and it imports none
of them (nor the orchestrator):

- `observation`: the record of one orchestrated request, and its JSON-lines files;
- `segment_format`, `segment_writer`: the same records as compressed columnar segments, what
  runs record (imported by their module names: they need pyarrow, which the Locust process
  must not load);
- `phase`: baseline / burst / fault / recovery, the fault-window value and the one phase function;
- `phase_arrays`: that phase function over columns, for a merge of millions of requests
  (imported by its module name: it needs numpy);
- `ratio_bound`: the one notation for "a share of requests must be at most/least x";
- `status`: the four orchestration statuses;
- `answer`: the one judge of a service answer, turning it into an observation;
- `yaml_input`: user files read into models, errors naming file:line: field;
- `suggest`: the did-you-mean line for a mistyped name.
"""

from .answer import API_KEY_HEADER, ORCHESTRATE_PATH, Answer, Asked, judge_answer
from .observation import (
    Observation,
    ObservationFileError,
    read_observations,
    write_observations,
)
from .phase import FaultWindow, Phase, phase_at, phase_during
from .ratio_bound import Comparison, RatioBound, RatioBoundField, parse_ratio_bound
from .status import ANSWERED, STATUSES, Status
from .suggest import did_you_mean, unknown_name
from .yaml_input import NestedFieldError, YamlInputError, load_yaml_model, parse_yaml_model

__all__ = [
    "API_KEY_HEADER",
    "ORCHESTRATE_PATH",
    "Answer",
    "Asked",
    "did_you_mean",
    "judge_answer",
    "ANSWERED",
    "STATUSES",
    "Status",
    "Comparison",
    "FaultWindow",
    "NestedFieldError",
    "Observation",
    "ObservationFileError",
    "Phase",
    "RatioBound",
    "RatioBoundField",
    "YamlInputError",
    "load_yaml_model",
    "parse_ratio_bound",
    "parse_yaml_model",
    "phase_at",
    "phase_during",
    "read_observations",
    "unknown_name",
    "write_observations",
]
