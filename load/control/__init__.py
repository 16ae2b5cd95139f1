"""Running a load run from the harness: the runner, the asyncio drive of Locust and its
workers, the chaos schedule, the live line, stop rules and the run's own checks."""
