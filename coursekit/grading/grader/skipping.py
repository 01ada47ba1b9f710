"""Cells grading leaves out: marked once in the instructor's notebook, recognised in a submission by their text.

A code cell of ``source/<assignment>/`` tagged ``skip-at-grading`` (students run it; grading does
not) or ``skip-execution`` (nobody's automatic run does) is an experiment, figure or timing demo
no test needs. At grading, a submission's cell is left out when its text is exactly that of a
marked cell of the instructor's notebook: the submission's own tags decide nothing, and a cell
the student edited runs. A cell is run after all when a cell that does run (or a test) reads a
name whose last binding before it is in a skipped cell, so a student's code that uses what an
experiment made still gets it.
"""

import ast
import builtins
import functools
from typing import NamedTuple

SKIP_AT_GRADING = "skip-at-grading"
SKIP_TAGS = (SKIP_AT_GRADING, "skip-execution")
BUILTIN_NAMES = frozenset(dir(builtins))


def _root_name(node):
    """``net`` of ``net.params['W1']`` or ``net.layers[0].W``; None when the chain does not start at a name."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


class CellNames(NamedTuple):
    imported: frozenset  # names a cell binds by importing (``import numpy as np`` binds ``np``)
    assigned: frozenset  # names it assigns or defines (imports aside)
    changed: frozenset  # names whose object it may change in place (an attribute or item written, a method called)
    read: frozenset  # names it reads that it does not bind first itself (function bodies included), builtins aside


@functools.lru_cache(maxsize=1024)  # each cell is asked about again and again, and a class's cells are alike
def cell_names(source):
    """What a cell's code binds, changes and reads (all empty for code that does not parse), in one walk."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return CellNames(frozenset(), frozenset(), frozenset(), frozenset())
    imported, assigned, changed, loaded, local = set(), set(), set(), set(), set()  # local: what the cell binds
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imported |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loaded.add(node.id)
        elif isinstance(node, ast.Name):
            assigned.add(node.id)
            local.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            assigned.add(node.name)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, ast.alias):
            local.add((node.asname or node.name).split(".")[0])
        if isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(node.ctx, ast.Load):
            changed.add(_root_name(node.value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            changed.add(_root_name(node.func.value))
    return CellNames(frozenset(imported), frozenset(assigned), frozenset(changed - {None}),
                     frozenset(loaded - local - BUILTIN_NAMES))


def names_imported(source):
    """Names a cell binds by importing (``import numpy as np`` binds ``np``)."""
    return cell_names(source).imported


def names_assigned(source):
    """Names a cell assigns or defines (imports aside)."""
    return cell_names(source).assigned


def names_changed(source):
    """Names whose object a cell may change in place: it assigns one of its attributes or items
    (``net.W = ..``, ``params['W'] -= ..``) or calls one of its methods (``net.train(..)``)."""
    return cell_names(source).changed


def names_read(source):
    """Names a cell reads that it does not bind first itself (function bodies included), builtins aside."""
    return cell_names(source).read


def stale_reads(sources, skipped):
    """``{index: names}``: cells run (index not in ``skipped``) that read a name whose last binding before
    them is in a skipped cell. ``sources`` lists the notebook's code in order (None for a non-code cell).

    Importing a module again under a name that held a module is harmless and does not count; calling a
    module's functions (``plt.plot``, ``np.random.seed``) does not count as changing the module.
    """
    last_binder, modules, found = {}, set(), {}
    for index, source in enumerate(sources):
        if source is None:
            continue
        if index not in skipped:
            stale = {name for name in names_read(source) if last_binder.get(name) in skipped}
            if stale:
                found[index] = stale
        for name in names_imported(source) - modules:  # importing a module again changes nothing
            last_binder[name] = index
            modules.add(name)
        for name in names_changed(source) - modules:
            last_binder[name] = index
        for name in names_assigned(source):
            last_binder[name] = index
            modules.discard(name)
    return found


def marked_sources(notebook):
    """The text of the code cells the instructor's notebook marks as skipped at grading."""
    return {cell.source for cell in notebook.cells
            if cell.cell_type == "code" and set(cell.metadata.get("tags", [])) & set(SKIP_TAGS)}


def cells_to_skip(sources, marked):
    """Indices of the cells to leave out: text among ``marked``, minus every cell whose bindings a cell
    that runs reads (and so on, until no cell that runs reads a skipped cell's binding)."""
    skipped = {index for index, source in enumerate(sources) if source is not None and source in marked}
    while True:
        stale = stale_reads(sources, skipped)
        if not stale:
            return skipped
        needed = {name for names in stale.values() for name in names}
        skipped -= {index for index in skipped if needed & (names_assigned(sources[index]) | names_changed(
            sources[index]) | names_imported(sources[index]))}
