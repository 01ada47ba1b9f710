"""Before grades are recorded: the assignment's own solution must score full marks here.

A broken grading environment (a package missing in the students' kernels, an editable install
pointing at another checkout, a changed library) would otherwise score every submission 0 with
no error anywhere. So before grading, the solution in ``source/<assignment>/`` is autograded in a
scratch course with the course's own configuration; anything short of full marks stops grading
with a message naming the cells and their errors. A passing result is cached in the course
folder (``.coursekit/canary.json``), keyed by the assignment's source files, the grading
configuration and the environment (Python, package versions, where the course's modules are
imported from), so it costs one grading of the solution per assignment and environment.

``course-grade`` checks once before it forks its workers; plain ``nbgrader autograde`` and the
Formgrader's Autograde check through ``RequireCanary``, first of the autograde preprocessors.
"""

import argparse
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from coursekit.paths import COURSE_ROOT

PACKAGES = ("nbgrader", "nbclient", "nbconvert", "ipykernel", "jupyter_client", "numpy", "matplotlib", "h5py",
            "scikit-learn", "Pillow", "traitlets")
MODULES = ("coursekit", "lr_utils")
CACHE = Path(".coursekit") / "canary.json"
STUDENT = "solution-canary"
SKIP_ENV = "COURSEKIT_CANARY_RUNNING"  # set in the canary's own grading, which must not check itself


class CanaryFailed(RuntimeError):
    """The assignment's solution does not score full marks in this environment: grades would be wrong."""


def package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def module_origin(name):
    spec = importlib.util.find_spec(name)
    return spec.origin if spec else None


def environment_key(course_root, assignment):
    """A hash of what decides the solution's score: its source files, the grading configuration and the
    environment (Python, package versions, where the course's modules come from)."""
    course_root = Path(course_root).resolve()
    digest = hashlib.sha256()
    source = course_root / "source" / assignment
    for path in sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes() + b"\0")
    for config in dict.fromkeys([COURSE_ROOT / "nbgrader_config.py", course_root / "nbgrader_config.py"]):
        digest.update(config.read_bytes() if config.is_file() else b"")
    engine = Path(__file__).resolve().parents[2]  # the course's modules: the grader and what kernels import
    for path in sorted([*engine.rglob("*.py"), Path(module_origin("lr_utils") or engine / "__init__.py")]):
        digest.update(path.read_bytes())
    environment = {"python": sys.version, "executable": sys.executable,
                   "packages": {name: package_version(name) for name in PACKAGES},
                   "modules": {name: module_origin(name) for name in MODULES}}
    digest.update(json.dumps(environment, sort_keys=True).encode())
    return f"{assignment}:{digest.hexdigest()}"


def cache_files(course_root):
    """The course's cache, and this installation's (a key names everything that decides the result, so a
    pass found for the same key in another course of this installation holds here too)."""
    return list(dict.fromkeys([Path(course_root).resolve() / CACHE, COURSE_ROOT / CACHE]))


def read_cache(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def remember(course_root, key, seconds):
    """Record a passing check (only passes are kept: a failure is checked again next time)."""
    entry = {"passed": True, "seconds": round(seconds, 2), "checked_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    for path in cache_files(course_root):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch = path.with_suffix(f".{os.getpid()}.tmp")
            scratch.write_text(json.dumps({**read_cache(path), key: entry}, indent=1, sort_keys=True))
            scratch.replace(path)
        except OSError:  # an installation folder this user cannot write: the course's cache is enough
            continue


def grade_solution(course_root, assignment):
    """Autograde the solution of ``source/<assignment>/`` in a scratch course with the course's configuration.

    Returns ``(scores, maxima, errors)``: ``{grade_id: score}``, ``{grade_id: points}``, ``{grade_id: message}``.
    """
    from coursekit.grading.batch import course
    from coursekit.grading.batch.worker import last_error
    from coursekit.grading.grader.scores import max_scores, question_scores
    from coursekit.submissions import answers_of, fill_answers, grade_id, is_test_cell

    course_root = Path(course_root).resolve()
    with tempfile.TemporaryDirectory(prefix="coursekit-canary-") as scratch:
        scratch = Path(scratch)
        shutil.copytree(course_root / "source" / assignment, scratch / "source" / assignment,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        own_settings = course_root / "nbgrader_config.py"
        if course_root != COURSE_ROOT and own_settings.is_file():  # the course's overrides (its cell timeout...)
            shutil.copy(own_settings, scratch / "nbgrader_config.py")
        config = course.course_config(scratch, db_path=scratch / "gradebook.db")
        course.generate_assignment(config, assignment)
        release = scratch / "release" / assignment
        submitted = shutil.copytree(release, scratch / "submitted" / STUDENT / assignment)
        for notebook_path in sorted(release.glob("*.ipynb")):
            solution = nbformat.read(scratch / "source" / assignment / notebook_path.name, as_version=4)
            handed_out = nbformat.read(notebook_path, as_version=4)
            nbformat.write(fill_answers(handed_out, answers_of(solution)), submitted / notebook_path.name)
        errors, log_text = {}, io.StringIO()
        handler = logging.StreamHandler(log_text)
        logging.getLogger("coursekit.nbgrader").addHandler(handler)
        try:
            course.autograde(config, assignment, STUDENT)
        except Exception as error:  # noqa: BLE001 (whatever stopped nbgrader is the cause to report)
            errors["autograde"] = last_error(log_text.getvalue()) or f"{type(error).__name__}: {error}"
        finally:
            logging.getLogger("coursekit.nbgrader").removeHandler(handler)
        maxima = max_scores(config.CourseDirectory.db_url, assignment)
        scores = question_scores(config.CourseDirectory.db_url, assignment, STUDENT) or {}
        for path in sorted((scratch / "autograded" / STUDENT / assignment).glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                lines = [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"]
                if lines and is_test_cell(cell):
                    errors[grade_id(cell)] = "; ".join(lines)
        return {cell: scores.get(cell) or 0.0 for cell in maxima}, maxima, errors


def failure_message(assignment, scores, maxima, errors):
    lost = [cell for cell in maxima if scores[cell] < maxima[cell]]
    total = sum(maxima.values())
    lines = [f"Grading of {assignment} refused: the assignment's own solution scores {sum(scores.values()):g} of "
             f"{total:g} in this environment, so every submission would be graded wrongly. No grade was recorded.",
             "Cells where the solution loses points:"]
    if "autograde" in errors:
        lines.insert(1, f"nbgrader's autograde of the solution failed: {errors['autograde'][:500]}")
    lines += [f"  {cell}: {scores[cell]:g} of {maxima[cell]:g}" + (f" ({errors[cell][:300]})" if cell in errors else
                                                                    " (the notebook did not run to this cell)")
              for cell in lost]
    lines.append("Check that this environment is the one the course was built with (python -m pip install -e . "
                 f"from {Path(__file__).resolve().parents[3]}; the course's modules import from "
                 f"{module_origin('coursekit')}), that the kernels can start, and that source/{assignment}/ "
                 "passes its own tests (make test).")
    return "\n".join(lines)


def check(course_root, assignment):
    """Raise CanaryFailed unless the solution scores full marks here; cached per assignment and environment.

    Returns ``(seconds, cached)``: what this check cost, and whether the cache answered.
    """
    started = time.monotonic()
    key = environment_key(course_root, assignment)
    if any(read_cache(path).get(key, {}).get("passed") for path in cache_files(course_root)):
        return time.monotonic() - started, True
    scores, maxima, errors = run_isolated(course_root, assignment)
    if "autograde" in errors:  # nbgrader stopped (a kernel that did not start in time, say): once more
        scores, maxima, errors = run_isolated(course_root, assignment)
    if not maxima or any(scores[cell] < maxima[cell] for cell in maxima):
        raise CanaryFailed(failure_message(assignment, scores, maxima, errors))
    seconds = time.monotonic() - started
    remember(course_root, key, seconds)
    return seconds, False


def run_isolated(course_root, assignment):
    """``grade_solution`` in a fresh process of this environment (nbgrader keeps state per process)."""
    environment = {**os.environ, SKIP_ENV: "1"}
    done = subprocess.run([sys.executable, "-m", "coursekit.grading.batch.canary", "--grade", str(course_root),
                           assignment],
                          capture_output=True, text=True, env=environment, check=False)
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise CanaryFailed(f"Grading of {assignment} refused: the check of its solution could not run in this "
                           f"environment (exit code {done.returncode}):\n{done.stderr[-2000:]}") from None
    return result["scores"], result["maxima"], result["errors"]


def course_root_of(config):
    """The course whose source/ a grading run trusts (the batch's workers grade in scratch copies)."""
    trusted = config.CleanRoomExecute.get("trusted_root") if "CleanRoomExecute" in config else None
    return Path(trusted or config.CourseDirectory.root or ".").resolve()


class RequireCanary(Preprocessor):
    """First autograde preprocessor: no grade is recorded while the solution does not score full marks."""

    enabled = Bool(True, help="Check the solution before grading (turn off only to grade knowingly anyway).").tag(
        config=True)

    def preprocess(self, nb, resources):
        if os.environ.get(SKIP_ENV) != "1":
            check(course_root_of(self.config), resources["nbgrader"]["assignment"])
        return nb, resources


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check that an assignment's solution scores full marks here.")
    parser.add_argument("--grade", action="store_true", help="grade the solution and print the result as JSON")
    parser.add_argument("course")
    parser.add_argument("assignment")
    args = parser.parse_args(argv)
    if args.grade:
        scores, maxima, errors = grade_solution(args.course, args.assignment)
        print(json.dumps({"scores": scores, "maxima": maxima, "errors": errors}))
        return 0
    try:
        seconds, cached = check(args.course, args.assignment)
    except CanaryFailed as error:
        print(error, file=sys.stderr)
        return 3
    print(f"{args.assignment}: the solution scores full marks here ({'cached' if cached else f'{seconds:.1f} s'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
