"""The grading engine: nbgrader's autograde, hardened and run in parallel."""
