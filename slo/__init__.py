"""SLO evaluation: observations in, verdict out. Imports none of the other packages."""

from .observation import Observation, ObservationFileError, Phase, read_observations, write_observations

__all__ = ["Observation", "ObservationFileError", "Phase", "read_observations", "write_observations"]
