"""Scheduled jobs: a job file (TOML) of datasets to convert and publish, run by cron with ``odl-geo run``."""

from .jobfile import STEP_ORDER, Dataset, Job, Step, load_job
from .runner import DatasetOutcome, JobResult, StepResult, run_job
from .state import JobLocked

__all__ = [
    "STEP_ORDER",
    "Dataset",
    "DatasetOutcome",
    "Job",
    "JobLocked",
    "JobResult",
    "Step",
    "StepResult",
    "load_job",
    "run_job",
]
