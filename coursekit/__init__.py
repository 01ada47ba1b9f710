"""Course kit: dataset tooling, visible checks and the grading engine of the course."""
