"""The part of the course folder students may see, copied into the student environment.

Students' kernels import the visible check helpers (``coursekit.checks`` and what it needs),
``lr_utils`` and read the bundled data; nothing else of the course folder goes in: not
``source/`` (solutions, hidden tests), not the gradebook, not submissions. The modules are
found by following the imports of what students get (the assignments' files and notebook code)
through ``coursekit``, so a new helper module travels without editing a list.
Run as ``python3 hub/student_kit.py COURSE OUT``; standard library only.
"""

import ast
import json
import shutil
import sys
from pathlib import Path

PACKAGE = "coursekit"
TOP_MODULES = ("lr_utils",)
DATA_FILES = ("datasets/train_catvnoncat.h5", "datasets/test_catvnoncat.h5")


def imported_modules(code):
    """Absolute module names a piece of Python imports (``from a import b`` gives ``a`` and ``a.b``)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # notebook cells with magics or students' stubs
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def notebook_code(path):
    cells = json.loads(Path(path).read_text()).get("cells", [])
    return "\n".join("".join(c["source"]) for c in cells if c.get("cell_type") == "code")


def student_code(course_root):
    """The code students get: the assignments' .py files and the code cells of their notebooks."""
    for folder in ("release", "source"):
        for path in sorted((Path(course_root) / folder).glob("*/*")):
            if path.suffix == ".py":
                yield path.read_text()
            elif path.suffix == ".ipynb":
                yield notebook_code(path)


def module_file(course_root, name):
    """The file of module ``name`` of the course package, or None when it is not one of ours."""
    base = Path(course_root).joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def needed_files(course_root):
    """Course files (relative paths) the student code needs: the import closure inside ``coursekit``."""
    course_root = Path(course_root)
    wanted = {m for code in student_code(course_root) for m in imported_modules(code)}
    wanted |= set(TOP_MODULES)
    files, seen = set(), set()
    while wanted:
        name = wanted.pop()
        if name in seen or not (name in TOP_MODULES or name.split(".")[0] == PACKAGE):
            continue
        seen.add(name)
        parts = name.split(".")
        wanted.update(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages
        path = module_file(course_root, name)
        if path is not None:
            files.add(path.relative_to(course_root))
            wanted |= imported_modules(path.read_text())
    catalogs = sorted(path.relative_to(course_root) for path in course_root.glob("locale/*/LC_MESSAGES/*.po")
                      if path.stem in TOP_MODULES)  # the translations of lr_utils's messages
    return sorted(files) + [Path(f) for f in DATA_FILES] + catalogs


def build(course_root, out):
    """Write the student kit to ``out`` (replacing it): read-only for everyone but its owner."""
    course_root, out = Path(course_root).resolve(), Path(out)
    if out.exists():
        shutil.rmtree(out)
    for relative in needed_files(course_root):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(course_root / relative, target)
        target.chmod(0o644)
    for folder in [out, *(p for p in out.rglob("*") if p.is_dir())]:
        folder.chmod(0o755)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    for path in sorted(p for p in build(*sys.argv[1:]).rglob("*") if p.is_file()):
        print(path)
