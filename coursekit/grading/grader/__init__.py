"""The trusted grader of one notebook (nbgrader preprocessors and what they use)."""
