"""Runs inside the student's sandboxed kernel (exactly what the sandbox mounts of the grader)."""
