"""hub/course_exchange.py without a hub: what GuardedCollect takes from inbound/ and what it refuses.

Entries are made by the user running the test (their owner), so one named after another user is a
claim to be someone else. The real hub, with real students, is in test_hub_attacks.py.
"""

import datetime
import getpass
import json
import os
import sys

import pytest
from nbgrader.coursedir import CourseDirectory

from coursekit.paths import COURSE_ROOT

sys.path.insert(0, str(COURSE_ROOT / "hub"))
from course_exchange import GuardedCollect  # noqa: E402

ME = getpass.getuser()
A1 = "a1_numpy_basics"


def stamp(minutes_ago):
    moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


@pytest.fixture
def exchange(tmp_path):
    inbound = tmp_path / "exchange" / "course" / "inbound"
    inbound.mkdir(parents=True)
    return tmp_path


def submit(exchange, minutes_ago, files, student=ME, tail="r4nd"):
    """An entry in inbound/ as nbgrader submit names it, holding ``files`` ({name: text})."""
    when = stamp(minutes_ago)
    entry = exchange / "exchange" / "course" / "inbound" / f"{student}+{A1}+{when}+{tail}"
    entry.mkdir()
    (entry / "timestamp.txt").write_text(when)
    for name, text in files.items():
        (entry / name).parent.mkdir(parents=True, exist_ok=True)
        (entry / name).write_text(text)
    return entry


def collect(exchange, **caps):
    coursedir = CourseDirectory(root=str(exchange / "course"), course_id="course", assignment_id=A1)
    collector = GuardedCollect(coursedir=coursedir, root=str(exchange / "exchange"), **caps)
    collector.start()
    report = json.loads((exchange / "course" / "reports" / f"collect-{A1}.json").read_text())
    return exchange / "course" / "submitted" / ME / A1, report


def test_the_latest_submission_is_collected_and_a_resubmission_replaces_it(exchange):
    submit(exchange, 30, {"nb.ipynb": "first"}, tail="a")
    submit(exchange, 20, {"nb.ipynb": "second", "data/extra.txt": "x"}, tail="b")
    collected, report = collect(exchange)
    assert (collected / "nb.ipynb").read_text() == "second" and (collected / "data" / "extra.txt").is_file()
    assert report["collected"] == [ME] and report["refused"] == []
    assert oct(collected.stat().st_mode & 0o777) == "0o700"
    assert oct((collected / "nb.ipynb").stat().st_mode & 0o777) == "0o600"
    submit(exchange, 5, {"nb.ipynb": "third"}, tail="c")  # no --update needed
    collected, report = collect(exchange)
    assert (collected / "nb.ipynb").read_text() == "third" and not (collected / "data").exists()


@pytest.mark.parametrize("plant, reason", [
    (lambda entry, secret: (entry / "leak.ipynb").symlink_to(secret), "leak.ipynb is a symbolic link"),
    (lambda entry, secret: (entry / "source").symlink_to(secret.parent, target_is_directory=True),
     "source is a symbolic link"),
    (lambda entry, secret: os.mkfifo(entry / "pipe"), "pipe is a FIFO"),
    (lambda entry, secret: (entry / "big.bin").write_bytes(b"0" * 3000), "more than 2000 bytes"),
    (lambda entry, secret: [(entry / f"f{i}").write_text("x") for i in range(12)], "more than 10 files"),
])
def test_an_entry_with_anything_but_its_own_regular_files_is_refused_and_the_last_good_one_stays(
        exchange, plant, reason):
    secret = exchange / "instructor" / "gradebook.db"
    secret.parent.mkdir()
    secret.write_text("HIDDEN")
    submit(exchange, 30, {"nb.ipynb": "honest"}, tail="a")
    plant(submit(exchange, 10, {"nb.ipynb": "later"}, tail="b"), secret)
    collected, report = collect(exchange, max_files=10, max_bytes=2000)
    assert (collected / "nb.ipynb").read_text() == "honest"
    assert not [p for p in collected.rglob("*") if p.is_symlink() or "HIDDEN" in p.read_text()]
    assert [r["entry"].rsplit("+", 1)[1] for r in report["refused"]] == ["b"], report
    assert reason in report["refused"][0]["reason"], report


def test_an_entry_naming_someone_else_is_refused_and_hides_nothing(exchange):
    submit(exchange, 30, {"nb.ipynb": "mine"})
    submit(exchange, -60 * 24, {"nb.ipynb": "impostor"}, student="somebody-else")  # a day ahead, too
    submit(exchange, -60 * 24, {"nb.ipynb": "from the future"}, tail="z")
    collected, report = collect(exchange)
    assert (collected / "nb.ipynb").read_text() == "mine"
    assert not (exchange / "course" / "submitted" / "somebody-else").exists()
    reasons = sorted(r["reason"] for r in report["refused"])
    assert f"it names somebody-else but belongs to {ME}" in reasons[0], reasons
    assert "is in the future" in reasons[1], reasons


def test_an_entry_that_is_a_link_is_refused(exchange):
    real = submit(exchange, 30, {"nb.ipynb": "mine"}, tail="a")
    link = real.with_name(real.name.replace("+a", "+b").replace(stamp(30)[:10], stamp(30)[:10]))
    link = link.with_name(f"{ME}+{A1}+{stamp(1)}+b")
    link.symlink_to(real, target_is_directory=True)
    collected, report = collect(exchange)
    assert [r["reason"] for r in report["refused"]] == ["the entry is a symbolic link, not a folder"], report
