"""The batch and the course: ``course-grade`` (``grade``), its workers, and what it writes back."""
