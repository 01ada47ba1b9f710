"""A batch worker's gradebooks share one SQLAlchemy engine per URL (coursekit.grading.batch.engines)."""

from nbgrader import api
from nbgrader.api import Gradebook

from coursekit.grading.batch import engines


def test_a_workers_gradebooks_share_one_engine_that_works_after_each_close(tmp_path, monkeypatch):
    monkeypatch.setattr(api, "create_engine", api.create_engine)  # put nbgrader's back after the test
    engines.install()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as first:
        first.add_student("s1")
        engine = first.engine
    with Gradebook(url) as second:
        assert second.engine is engine
        second.add_student("s2")
    with Gradebook(f"sqlite:///{tmp_path / 'other.db'}") as other:
        assert other.engine is not engine and other.students == []
    with Gradebook(url) as third:
        assert sorted(student.id for student in third.students) == ["s1", "s2"]
