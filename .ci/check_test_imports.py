"""Fail when a test file would be skipped by Odoo's own test runner.

Odoo's loader (odoo/tests/loader.py) collects only the modules that an addon's tests/__init__.py
imports, and only test classes in them: a test_*.py missing from tests/__init__.py, or a test
written as a module-level function, runs under pytest but never under ``odoo-bin --test-enable``.

    python .ci/check_test_imports.py [ROOT]    (default: the repository)

Prints one line per problem, naming the file, and exits 1 when there is any.
"""

import ast
import sys
from pathlib import Path


def addon_dirs(root):
    """The addons of the repository: its top-level addons and the test-only ones of tests/addons/."""
    for parent in (root, root / "tests" / "addons"):
        if parent.is_dir():
            yield from sorted(p for p in parent.iterdir() if (p / "__manifest__.py").is_file())


def imported_modules(init_file):
    """Names of the sibling modules that ``init_file`` imports (from . import x / from .x import y)."""
    names = set()
    for node in ast.walk(ast.parse(init_file.read_text(), str(init_file))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def problems(root):
    for addon in addon_dirs(root):
        tests = addon / "tests"
        test_files = sorted(tests.glob("test_*.py"))
        if not test_files:
            continue
        init_file = tests / "__init__.py"
        imported = imported_modules(init_file) if init_file.is_file() else set()
        for path in test_files:
            shown = path.relative_to(root)
            if path.stem not in imported:
                yield f"{shown}: not imported in {init_file.relative_to(root)}, so Odoo's test runner skips it"
            for node in ast.parse(path.read_text(), str(path)).body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                    yield (
                        f"{shown}:{node.lineno}: {node.name} is a module-level function, which Odoo's "
                        "test runner skips; make it a method of an odoo.tests test class"
                    )


def main(argv):
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent.parent).resolve()
    found = list(problems(root))
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(
            f"error: {len(found)} test file problem(s): Odoo's own test runner would skip these tests.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
