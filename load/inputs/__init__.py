"""What a load run is asked to do: profiles, shapes, arrival pacing, the intent mix, and the
run configuration handed to the Locust process. Pure models and functions; the Locust
process imports some of them, so nothing is imported here."""
