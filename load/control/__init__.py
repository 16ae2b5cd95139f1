"""Running a load run from the harness: the runner, the asyncio drive of Locust and its
workers, the chaos schedule, the live line, the watch on the stop conditions
(`chaos.stop_watch`) and the run's own checks."""
