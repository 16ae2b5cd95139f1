"""Load: Locust users, load shapes, and the runner that drives Locust in a subprocess.

Locust itself is imported only by `load.users` / `load.locust_main`, inside the Locust
process; nothing here imports it.

    from load.profile import load_profile
    from load.runner import LoadRunOptions, run_load
    result = run_load(LoadRunOptions(profile=load_profile("spike"), out_dir=Path("reports/load")))
"""
