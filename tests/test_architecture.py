"""The house plan (README "Architecture"), as a test: the arrows run one way and nothing runs in a circle.

pages -> ipoverseas.ui -> the capability packages -> ipoverseas.access / ipoverseas.core. Every import
is read from the source, function-level ones included.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in [*ROOT.joinpath("ipoverseas").rglob("*.py"), *ROOT.joinpath("pages").rglob("*.py")]:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if "migrations" in parts:
            continue
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = (path, package)
    return found


def _imports(name: str, path: Path, package: bool, known: set[str]) -> set[str]:
    """The modules of this project (and third-party top-level names) that `name` imports."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if package else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                out.add(full if full in known else module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


MODULES = _modules()
GRAPH = {name: _imports(name, path, package, set(MODULES)) for name, (path, package) in MODULES.items()}


def _offenders(source: str, target: str, allowed=lambda name: False) -> list[str]:
    return sorted(f"{name} imports {imported}" for name, imported_set in GRAPH.items()
                  if name.startswith(source) and not allowed(name)
                  for imported in imported_set if imported == target or imported.startswith(target + "."))


def test_the_domain_imports_no_streamlit_but_its_ui():
    assert not _offenders("ipoverseas", "streamlit", allowed=lambda name: name.startswith("ipoverseas.ui"))


def test_nothing_imports_a_private_streamlit_module_but_the_server_routes():
    private = [f"{name} imports {imported}" for name, imported_set in GRAPH.items() for imported in imported_set
               if imported.startswith("streamlit.") and not imported.startswith(("streamlit.testing", "streamlit.components"))
               and name != "ipoverseas.ui.server"]
    assert not private


def test_the_ui_imports_no_page_and_no_page_imports_another():
    assert not _offenders("ipoverseas", "pages")
    pages = [f"{name} imports {imported}" for name, imported_set in GRAPH.items() if name.startswith("pages.")
             for imported in imported_set if imported.startswith("pages.")]
    assert not pages


def test_core_and_access_stand_on_nothing_above_them():
    def above(name: str, allowed: tuple[str, ...]) -> list[str]:
        return sorted(f"{name} imports {i}" for i in GRAPH[name]
                      if i.startswith(("ipoverseas.", "pages")) and not i.startswith(allowed))

    for name in GRAPH:
        if name.startswith("ipoverseas.core"):
            assert not above(name, ("ipoverseas.core",))
        if name.startswith("ipoverseas.access"):
            assert not above(name, ("ipoverseas.core", "ipoverseas.access"))


def test_the_command_line_asks_services_and_never_queries_models():
    assert not _offenders("ipoverseas.cli", "ipoverseas.core.models")
    assert not _offenders("ipoverseas.cli", "sqlalchemy")


def test_no_module_imports_in_a_circle():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in GRAPH[node] & GRAPH.keys():
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in GRAPH:
        if name not in index:
            visit(name)
    assert not cycles


def test_migrations_import_no_live_code():
    """A migration is frozen history: what it does must not change when live code moves. The
    SQL it needs is copied into it (0007), and facts that follow live settings are computed at
    start-up (0006). Only the environment (env.py) may import the models."""
    versions = ROOT / "ipoverseas" / "migrations" / "versions"
    offenders = []
    for path in sorted(versions.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            offenders += [f"{path.name} imports {n}" for n in names if n.split(".")[0] == "ipoverseas"]
    assert not offenders


# Test folders that are not a package of ipoverseas: the pages (and their ui), the browser
# journeys, the benchmarks, the production example (deploy/) and the test workbooks.
NOT_A_PACKAGE = {"pages", "e2e", "bench", "deploy", "files", "load"}


def test_the_tests_mirror_the_packages():
    tests = ROOT / "tests"
    packages = {p.name for p in (ROOT / "ipoverseas").iterdir() if (p / "__init__.py").is_file()}
    folders = {p.name for p in tests.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))}
    assert folders - NOT_A_PACKAGE <= packages, "a test folder names no package of ipoverseas"
    assert [p.name for p in tests.glob("test_*.py")] == ["test_architecture.py"], \
        "put a new test in the folder of the package it tests"
    assert all((tests / f / "__init__.py").is_file() for f in folders - {"files"})


def test_every_table_shows_a_dash_for_an_empty_cell():
    """Without `placeholder`, st.dataframe shows an empty cell (None) as the English word "None"."""
    missing = []
    for path in [*(ROOT / "pages").rglob("*.py"), *(ROOT / "ipoverseas" / "ui").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dataframe"
                    and "placeholder" not in {k.arg for k in node.keywords}):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []


def test_every_tracked_file_has_a_name_every_system_can_check_out():
    """A name with < > : " | ? * (or a test's stray `sqlite:///<function ...>` database) breaks a
    checkout on Windows, and is never meant."""
    if not (ROOT / ".git").exists():   # an exported tree: nothing tracked to check
        return
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    odd = [n for n in names.decode("utf-8", "replace").split("\0") if re.search(r'[<>:"|?*\\]', n)]
    assert not odd, odd
