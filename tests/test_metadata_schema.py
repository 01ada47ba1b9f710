"""nbgrader's cell-metadata check with the schema checked once (coursekit.grading.grader.metadata_schema)."""

import jsonschema
import nbformat
import pytest
from nbgrader.nbgraderformat import ValidationError
from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

from coursekit.grading.grader import metadata_schema
from coursekit.paths import SOURCE_DIR

metadata_schema.install()


def test_every_source_cell_still_passes():
    for path in SOURCE_DIR.glob("*/*.ipynb"):
        MetadataValidatorV3().validate_nb(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("change", [{"points": -1}, {"grade": "yes"}, {"grade_id": 7}, {"locked": None}])
def test_a_bad_cell_raises_what_jsonschema_raises(change):
    schema = MetadataValidatorV3().schema
    metadata = {"grade": True, "grade_id": "test_x", "locked": True, "points": 2, "schema_version": 3,
                "solution": False, "task": False, **change}
    cell = nbformat.v4.new_code_cell(metadata={"nbgrader": metadata})
    with pytest.raises(jsonschema.ValidationError) as plain:
        jsonschema.validate(cell.metadata["nbgrader"], schema)
    with pytest.raises(ValidationError) as ours:
        MetadataValidatorV3().validate_cell(cell)
    assert str(ours.value) == str(plain.value)


def test_the_schema_is_checked_once(monkeypatch):
    metadata_schema.validator_of.cache_clear()
    checked = []
    kind = jsonschema.validators.validator_for(MetadataValidatorV3().schema)
    real = kind.check_schema
    monkeypatch.setattr(kind, "check_schema", classmethod(lambda cls, schema: checked.append(1) or real(schema)))
    for path in sorted(SOURCE_DIR.glob("*/*.ipynb"))[:2]:
        MetadataValidatorV3().validate_nb(nbformat.read(path, as_version=4))
    assert checked == [1]
