"""nbgrader's check of every cell's metadata, without checking nbgrader's own schema again for each cell.

nbgrader validates each cell's ``nbgrader`` metadata with ``jsonschema.validate(metadata, schema)``, which
first checks the schema itself against the JSON Schema meta-schema: on every cell, twice per notebook, most
of nbgrader's own CPU time per submission after the gradebook's. Here each schema is checked once and
its validator kept; every cell is still validated against it, and raises the same error for the same
metadata (``jsonschema.validate``'s own steps, in its order).
"""

import functools
import json
import types

import jsonschema
from jsonschema import exceptions
from nbgrader.nbgraderformat import common


@functools.lru_cache(maxsize=8)
def validator_of(schema_text):
    """The validator of a schema (given as JSON text), the schema checked once."""
    schema = json.loads(schema_text)
    kind = jsonschema.validators.validator_for(schema)
    kind.check_schema(schema)
    return kind(schema)


def validate(instance, schema):
    """``jsonschema.validate(instance, schema)``, with the schema's check done once per schema."""
    error = exceptions.best_match(validator_of(json.dumps(schema)).iter_errors(instance))
    if error is not None:
        raise error


def install():
    """Have nbgrader's metadata validators use ``validate`` (in this process)."""
    common.jsonschema = types.SimpleNamespace(validate=validate)
