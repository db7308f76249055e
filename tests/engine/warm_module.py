"""A module a warmed worker imports as it starts (see test_executors)."""
