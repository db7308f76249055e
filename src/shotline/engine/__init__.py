"""Steps, cache keys, runs, executors and progress: redo only what changed."""
