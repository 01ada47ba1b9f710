"""What recording a hidden test's calls (to name a known mistake) costs the grading of one submission.

    .venv/bin/python bench/recording_cost.py [ASSIGNMENT ...] [--repeat N]

For each assignment, grades two submissions with nbgrader's autograde in this process (the course's
grading preprocessor): the solution, and a student with the first catalogued mistake of every part (so every
part's hidden test fails and is diagnosed). Each is graded ``--repeat`` times with recording on (as always)
and off (``RecordingView`` replaced by one that records nothing, so no diagnosis runs either), alternating.
Prints the median wall time and the grader process's CPU time (where recording and replaying happen; the
kernel's own CPU is the student code's and the same either way). Minutes on two cores.
"""

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader import cleanroom
from coursekit.grading.grader.diagnosis import RecordingView
from coursekit.grading.grader.mistakes import Catalog
from coursekit.paths import SOURCE_DIR
from coursekit.submissions import answers_of, fill_answers


class NotRecording(RecordingView):
    """A kernel view that records nothing: the grader without diagnosis."""

    def start(self):
        self.events = None

    def stop(self):
        return None


def submissions(course, assignment):
    """``{student: notebook}``: the solution, and one mistake in every part."""
    catalog = Catalog.of_folder(SOURCE_DIR / assignment)
    source, release = course.source_notebook(assignment), course.release_notebook(assignment)
    solution = answers_of(source)
    first = [mistakes[0] for mistakes in catalog.by_part.values() if mistakes]
    wrong = {m.answer_cell: m.answer(solution[m.answer_cell]) for m in first}
    return {"solution": fill_answers(release, solution),
            "every_part_wrong": fill_answers(release, {**solution, **wrong})}


def timed_grading(course, assignment, student, recording):
    cleanroom.RecordingView = RecordingView if recording else NotRecording
    cpu, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    course.autograde_serial(assignment, student)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return time.monotonic() - wall, (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", default=["a1_numpy_basics", "a4_neural_network"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'assignment':<24}{'submission':<18}{'wall s, recording':>18}{'off':>7}{'grader CPU s, recording':>25}"
          f"{'off':>7}", flush=True)
    with tempfile.TemporaryDirectory(prefix="recording-cost-") as scratch:
        for assignment in args.assignments:
            course = TempCourse(Path(scratch) / assignment, [assignment])
            notebooks = submissions(course, assignment)
            for student, notebook in notebooks.items():
                course.submit(assignment, student, notebook)
            for student in notebooks:
                timed_grading(course, assignment, student, True)  # warm: imports, caches
                runs = {True: [], False: []}
                for _ in range(args.repeat):
                    for recording in (True, False):
                        runs[recording].append(timed_grading(course, assignment, student, recording))
                wall = {r: statistics.median(w for w, _ in runs[r]) for r in runs}
                cpu = {r: statistics.median(c for _, c in runs[r]) for r in runs}
                print(f"{assignment:<24}{student:<18}{wall[True]:>18.1f}{wall[False]:>7.1f}{cpu[True]:>25.2f}"
                      f"{cpu[False]:>7.2f}", flush=True)
    cleanroom.RecordingView = RecordingView
    return 0


if __name__ == "__main__":
    sys.exit(main())
