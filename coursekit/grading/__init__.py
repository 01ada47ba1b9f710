"""The grading engine: nbgrader's autograde, hardened and run in parallel.

Where each module stands relative to the student's code:

- kernel side, inside the student's sandboxed kernel (untrusted once student code ran):
  ``kernel_side`` (answers the grader's requests, caps printed output) and ``wire`` (plain-data
  encoding, shared with the grader);
- the wall and the wire between the kernel and the grader: ``sandbox`` (bubblewrap), ``limits``
  (rlimits, kill lists), ``cgroup`` (one memory and process limit per kernel), ``kernel`` (kernel
  manager and client, message size cap), ``prestart``, ``channel`` and ``remote`` (test calls),
  ``output_budget``;
- the trusted grader of one notebook: ``cleanroom`` (the executor), ``trusted`` (course files),
  ``seed`` (hidden tests' inputs), ``intake`` and ``sanitize`` (what a submission may be),
  ``feedback`` and ``safe_html`` (what the instructor's pages show), ``scorekeeper``, ``scores``,
  ``canary``;
- the batch and the course: ``batch``, ``worker``, ``results``, ``merge``, ``gradebook_copy``,
  ``guard``, ``course``, ``harness``.
"""
