"""What runs inside the Locust process, under gevent's monkey-patching: the entry point,
the users and the observation shipper. Which modules they may import is pinned by
`tests/architecture/test_locust_side.py`; nothing is imported here."""
