"""How observations travel from Locust workers to the harness: the acknowledged batch
ledger, the collector endpoint, the observation files, and a remote worker's join.
Nothing is imported here: the Locust process imports the ledger alone."""
