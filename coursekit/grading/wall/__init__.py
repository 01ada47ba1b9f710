"""The wall and the channel between kernel and grader."""
