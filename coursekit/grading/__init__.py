"""The grading engine: nbgrader's autograde, hardened and run in parallel.

Its folders are the boundary around the student's code:

- ``inkernel/``: what runs inside the student's sandboxed kernel (untrusted once student code ran):
  ``kernel_side`` (answers the grader's requests, caps printed output), ``stand_ins`` (the course's
  versions of answers a part uses, answered by the grader) and ``wire`` (plain-data encoding, shared
  with the grader); the sandbox mounts exactly this folder of the grader.
- ``wall/``: the wall and the wire between the kernel and the grader: ``sandbox`` (bubblewrap),
  ``limits`` (rlimits, kill lists), ``cgroup`` (one memory and process limit per kernel), ``kernel``
  (kernel manager and client, message size cap), ``channel`` and ``remote`` (test calls),
  ``output_budget``.
- ``grader/``: the trusted grader of one notebook: ``cleanroom`` (the executor), ``prestart``,
  ``skipping`` (cells grading needs), ``trusted`` (course files), ``seed`` (hidden tests' inputs),
  ``intake`` and ``sanitize`` (what a submission may be), ``diagnosis`` and ``mistakes`` (named
  mistakes), ``course_versions`` (the course's answers that stand in for a part's dependencies),
  ``feedback`` and ``safe_html`` (what the instructor's pages show), ``scorekeeper``, ``scores``.
- ``batch/``: what the batch orchestrates: ``grade`` (``course-grade``), ``worker``, ``results``,
  ``merge``, ``gradebook_copy``, ``guard``, ``course``, ``harness``, ``canary``.
"""
