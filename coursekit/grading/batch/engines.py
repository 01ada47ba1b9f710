"""One SQLAlchemy engine per gradebook in a worker process.

nbgrader opens the gradebook about twelve times while it grades one submission (``Gradebook(db_url)``),
each time with a new engine, whose cache of compiled statements starts empty: SQLAlchemy compiles the
same queries again each time. A worker keeps one engine per URL instead; ``Gradebook.close`` still
disposes of its connections (the engine opens new ones when next used).
"""

from nbgrader import api
from sqlalchemy import create_engine

_ENGINES = {}  # (url, options) -> engine, in this process


def shared_engine(url, **options):
    """The engine this process made for ``url`` with these options, made now the first time."""
    key = (str(url), tuple(sorted(options.items())))
    if key not in _ENGINES:
        _ENGINES[key] = create_engine(url, **options)
    return _ENGINES[key]


def install():
    """From now on, in this process (a forked worker: never share an engine across a fork), nbgrader's gradebooks
    of one URL share one engine."""
    _ENGINES.clear()
    api.create_engine = shared_engine
