"""No unsafe code in ``src/``, and no SQL injection through the ``sql`` loader.

The scanner reads every module of ``src/`` with :mod:`ast` (never imports or runs it) and looks
for: pickle and its relatives; ``eval``/``exec``; ``yaml.load``; ``os.system`` and friends;
``shell=True``; and SQL built from pieces (an f-string with values, ``%`` or ``+`` on strings, or
``str.format``) passed to ``execute(``, ``text(`` and the other calls that run SQL, or written as
a text that starts like an SQL statement. The scanner itself is tested on small snippets, so
that it is known to find what it looks for.

The injection tests build SQLite databases with ``sqlite3`` and load them with
``equitymetrics.loaders.load``; after each attempt the database is checked with ``sqlite3``.
"""

from __future__ import annotations

import ast
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from equitymetrics.exceptions import InvalidArgumentError, LoaderError
from equitymetrics.loaders import load

SRC = Path(__file__).resolve().parents[2] / "src"

UNSAFE_MODULES = frozenset(
    {"pickle", "_pickle", "cPickle", "dill", "cloudpickle", "shelve", "marshal", "joblib"}
)
CODE_RUNNERS = frozenset({"eval", "exec", "__import__"})
YAML_LOADERS = frozenset({"load", "load_all", "full_load", "full_load_all", "unsafe_load"})
OS_COMMANDS = frozenset({"system", "popen", "startfile", "execl", "execlp", "execv", "execvp"})
# Calls that run SQL text given as an argument (``query`` is DuckDB's relation.query(name, sql)).
SQL_CALLS = frozenset(
    {
        "execute",
        "executemany",
        "executescript",
        "exec_driver_sql",
        "sql",
        "_sql",
        "query",
        "read_sql",
        "read_sql_query",
        "read_sql_table",
    }
)
SQL_START = re.compile(
    r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|ATTACH|WITH)\s", re.ASCII
)

# Built SQL that is allowed, with the number of places in each function. aggregate/_engine.py
# runs DuckDB SQL that it writes itself: temporary-table names it makes from uuid4 hex digits,
# and file paths quoted as SQL string literals by _sql_string (each ' doubled). No value from
# the data or from a user reaches that SQL unquoted. The sql loader builds no SQL at all (table
# names are compared with the database's own list and selected through SQLAlchemy's reflected
# Table; queries are bound with parameters), so it has no entry here.
_ENGINE = "equitymetrics/aggregate/_engine.py"
ALLOWED: Counter[tuple[str, str, str]] = Counter(
    {
        (_ENGINE, "_Session.close", "sql"): 1,  # DROP TABLE of a uuid4 temporary table
        (_ENGINE, "_Session.close", "sql text"): 1,
        (_ENGINE, "_Session._relation", "sql"): 2,  # read_parquet / read_csv of a quoted path
        (_ENGINE, "_Session._relation", "sql text"): 2,
        (_ENGINE, "_Session.persist", "sql"): 2,  # CREATE / SELECT a uuid4 temporary table
        (_ENGINE, "_Session.persist", "sql text"): 2,
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One unsafe construct: where it is and which rule it breaks."""

    path: str
    line: int
    function: str
    rule: str


def _is_built_string(node: ast.AST) -> bool:
    """An expression that builds text from pieces: f"..{x}..", "..." % x, "..." + x, .format."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        sides = (node.left, node.right)
        return any(
            _is_built_string(side)
            or (isinstance(side, ast.Constant) and isinstance(side.value, str))
            for side in sides
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and isinstance(node.func.value, ast.Constant | ast.Name)
    return False


def _leading_text(node: ast.AST) -> str:
    """The constant text at the start of a built string ("" if it starts with a value)."""
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        return first.value if isinstance(first, ast.Constant) else ""
    if isinstance(node, ast.BinOp):
        return _leading_text(node.left)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _leading_text(node.func.value)
    return ""


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.scope: list[str] = []
        self.modules: dict[str, str] = {}  # local name -> module it stands for
        self.names: dict[str, str] = {}  # local name -> "module.name" imported from a module
        self.found: list[Finding] = []

    def _add(self, node: ast.AST, rule: str) -> None:
        function = ".".join(self.scope) or "<module>"
        self.found.append(Finding(self.path, getattr(node, "lineno", 0), function, rule))

    def _scoped(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scoped(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scoped(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._scoped(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.modules[alias.asname or alias.name.split(".")[0]] = alias.name
            if alias.name.split(".")[0] in UNSAFE_MODULES:
                self._add(node, "pickle")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.split(".")[0] in UNSAFE_MODULES:
            self._add(node, "pickle")
        for alias in node.names:
            self.names[alias.asname or alias.name] = f"{module}.{alias.name}"
        self.generic_visit(node)

    def _module_of(self, node: ast.AST) -> str:
        if isinstance(node, ast.Name):
            return self.modules.get(node.id, "")
        return ""

    def _call_rules(self, node: ast.Call) -> list[str]:
        func = node.func
        rules: list[str] = []
        if isinstance(func, ast.Name):
            name, module = func.id, ""
            imported = self.names.get(name, "")
            if imported:
                module, name = imported.rsplit(".", 1)
        elif isinstance(func, ast.Attribute):
            name, module = func.attr, self._module_of(func.value)
        else:
            return rules
        root = module.split(".")[0]
        if name in CODE_RUNNERS:
            rules.append("eval" if name == "eval" else "exec")
        if "pickle" in name.casefold():
            rules.append("pickle")
        if root == "yaml" and name in YAML_LOADERS:
            rules.append("yaml.load")
        if root == "os" and (name in OS_COMMANDS or name.startswith("spawn")):
            rules.append("os.system")
        for keyword in node.keywords:
            value = keyword.value
            truthy = not (isinstance(value, ast.Constant) and not value.value)
            if keyword.arg == "shell" and truthy:
                rules.append("shell=True")
            if keyword.arg == "allow_pickle" and truthy:
                rules.append("pickle")
        runs_sql = name in SQL_CALLS or (name == "text" and root == "sqlalchemy")
        arguments = [*node.args, *(k.value for k in node.keywords)]
        if runs_sql and any(_is_built_string(a) for a in arguments):
            rules.append("sql")
        return rules

    def visit_Call(self, node: ast.Call) -> None:
        for rule in self._call_rules(node):
            self._add(node, rule)
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._built_sql_text(node)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        self._built_sql_text(node)
        self.generic_visit(node)

    def _built_sql_text(self, node: ast.AST) -> None:
        """Text that starts like an SQL statement and is built from values, wherever it is."""
        if _is_built_string(node) and SQL_START.match(_leading_text(node)):
            self._add(node, "sql text")


def scan(source: str, path: str = "<snippet>") -> list[Finding]:
    """Unsafe constructs in Python source text (parsed, never run)."""
    scanner = _Scanner(path)
    scanner.visit(ast.parse(source))
    return scanner.found


def scan_tree(root: Path) -> list[Finding]:
    found: list[Finding] = []
    for path in sorted(root.rglob("*.py")):
        found.extend(scan(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix()))
    return found


# --- The scanner finds what it looks for -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "rules"),
    [
        ("import pickle", ["pickle"]),
        ("import pickle as p", ["pickle"]),
        ("from pickle import loads", ["pickle"]),
        ("import dill", ["pickle"]),
        ("import shelve", ["pickle"]),
        ("frame.to_pickle('x.pkl')", ["pickle"]),
        ("pd.read_pickle(path)", ["pickle"]),
        ("np.load(path, allow_pickle=True)", ["pickle"]),
        ("np.load(path, allow_pickle=False)", []),
        ("eval('1 + 1')", ["eval"]),
        ("exec(code)", ["exec"]),
        ("__import__(name)", ["exec"]),
        ("frame.eval('a + b')", ["eval"]),
        ("import yaml\nyaml.load(text)", ["yaml.load"]),
        ("import yaml\nyaml.unsafe_load(text)", ["yaml.load"]),
        ("import yaml\nyaml.safe_load(text)", []),
        ("from yaml import load\nload(text)", ["yaml.load"]),
        ("import os\nos.system('ls')", ["os.system"]),
        ("import os\nos.popen('ls')", ["os.system"]),
        ("from os import system\nsystem('ls')", ["os.system"]),
        ("import subprocess\nsubprocess.run(command, shell=True)", ["shell=True"]),
        ("import subprocess\nsubprocess.run(['ls', '-l'])", []),
        ("import subprocess\nsubprocess.run(command, shell=False)", []),
        ("cursor.execute(f'SELECT * FROM {table}')", ["sql", "sql text"]),
        ("cursor.execute('SELECT * FROM ' + table)", ["sql", "sql text"]),
        ("cursor.execute('SELECT * FROM %s' % table)", ["sql", "sql text"]),
        ("cursor.execute('SELECT * FROM {}'.format(table))", ["sql"]),
        ("cursor.execute('SELECT * FROM t WHERE a = ?', (value,))", []),
        ("cursor.execute(statement, parameters)", []),
        ("connection.exec_driver_sql(f'PRAGMA {name}')", ["sql", "sql text"]),
        ("import sqlalchemy as sa\nsa.text(f'SELECT {column} FROM t')", ["sql", "sql text"]),
        (
            "from sqlalchemy import text\ntext('SELECT a FROM t WHERE b = ' + b)",
            ["sql", "sql text"],
        ),
        ("import sqlalchemy as sa\nsa.text('SELECT * FROM t WHERE a = :a')", []),
        ("axes.text(0, 0, f'{label}')", []),
        ("relation.query('t', f'DROP TABLE {name}')", ["sql", "sql text"]),
        ("statement = f'DELETE FROM {table}'", ["sql text"]),
        ("message = f'SELECT one of {options}'", ["sql text"]),
        ("message = f'select one of {options}'", []),
        ("message = f'query must be a SELECT; got {word}'", []),
    ],
)
def test_scanner_finds_unsafe_constructs(source: str, rules: list[str]) -> None:
    assert sorted(f.rule for f in scan(source)) == sorted(rules)


def test_scanner_names_the_enclosing_function() -> None:
    source = "class A:\n    def read(self):\n        eval('1')\n"
    assert scan(source, "m.py") == [Finding("m.py", 3, "A.read", "eval")]


# --- The package -----------------------------------------------------------------------------


def test_src_has_no_unsafe_code() -> None:
    findings = scan_tree(SRC)
    assert findings, "the scanner found nothing at all: check that SRC points at src/"
    places = Counter((f.path, f.function, f.rule) for f in findings)
    unexpected = [f for f in findings if (f.path, f.function, f.rule) not in ALLOWED]
    assert unexpected == []
    # Each allowance is used exactly as often as it says, so none is stale or hides more.
    assert {key: places[key] for key in ALLOWED} == dict(ALLOWED)


def test_src_scan_covers_every_module() -> None:
    modules = sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py"))
    assert "equitymetrics/loaders/_sql.py" in modules
    assert "equitymetrics/aggregate/_engine.py" in modules


# --- SQL injection through the sql loader ------------------------------------------------------

ODD_NAME = 'odd"name; DROP TABLE patients; --'


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A SQLite file with a patients table (2 rows) and a table with an odd name (1 row)."""
    path = tmp_path / "trust.db"
    rows = [("P1", "A", "1", "1980-01-01"), ("P2", "B", "2", "1990-05-05")]
    with sqlite3.connect(path) as connection:
        for table, data in (("patients", rows), (ODD_NAME, rows[:1])):
            quoted = '"' + table.replace('"', '""') + '"'  # test set-up: a fixed, known name
            connection.execute(
                "CREATE TABLE "
                + quoted
                + " (person_id TEXT, ethnic_category TEXT, sex TEXT, birth_date TEXT)"
            )
            connection.executemany("INSERT INTO " + quoted + " VALUES (?, ?, ?, ?)", data)
    return path


def contents(path: Path) -> dict[str, int]:
    """Each table of the database and its number of rows, read with sqlite3."""
    with sqlite3.connect(path) as connection:
        names = [n for (n,) in connection.execute("SELECT name FROM sqlite_master")]
        return {
            name: connection.execute(
                "SELECT COUNT(*) FROM " + '"' + name.replace('"', '""') + '"'
            ).fetchone()[0]
            for name in sorted(names)
        }


UNTOUCHED = {ODD_NAME: 1, "patients": 2}


@pytest.mark.parametrize(
    "table",
    [
        "patients; DROP TABLE patients",
        "patients --",
        "patients' OR '1'='1",
        '"patients"',
        "patients/*",
        "PATIENTS",
        " patients",
        "sqlite_master",
    ],
)
def test_table_names_are_matched_exactly_never_run(database: Path, table: str) -> None:
    with pytest.raises(LoaderError, match="has no table or view named"):
        load("patients", f"sqlite:///{database}", table=table)
    assert contents(database) == UNTOUCHED


def test_malicious_schema_name_is_refused(database: Path) -> None:
    with pytest.raises(LoaderError, match="has no schema"):
        load("patients", f"sqlite:///{database}", table="patients", schema="main; DROP x")
    assert contents(database) == UNTOUCHED


def test_real_table_with_an_odd_name_is_quoted_by_sqlalchemy(database: Path) -> None:
    loaded = load("patients", f"sqlite:///{database}", table=ODD_NAME)
    assert loaded.frame["person_id"].tolist() == ["P1"]
    assert contents(database) == UNTOUCHED


@pytest.mark.parametrize(
    ("value", "people"),
    [("P1", ["P1"]), ("P1' OR '1'='1", []), ("P1'; DROP TABLE patients; --", [])],
)
def test_query_values_are_bound_as_parameters(
    database: Path, value: str, people: list[str]
) -> None:
    query = "SELECT * FROM patients WHERE person_id = :person ORDER BY person_id"
    loaded = load("patients", f"sqlite:///{database}", query=query, params={"person": value})
    assert loaded.frame["person_id"].tolist() == people
    assert loaded.report.rows_read == len(people)
    assert contents(database) == UNTOUCHED


def test_two_statements_in_one_query_are_refused(database: Path) -> None:
    with pytest.raises(LoaderError, match="one statement at a time"):
        load("patients", f"sqlite:///{database}", query="SELECT * FROM patients; DROP TABLE x")
    assert contents(database) == UNTOUCHED


@pytest.mark.parametrize(
    "query",
    [
        "DROP TABLE patients",
        "DELETE FROM patients",
        "  -- a comment\n UPDATE patients SET sex = '9'",
        "INSERT INTO patients VALUES ('P3', 'A', '1', '2000-01-01')",
        "PRAGMA writable_schema = ON",
    ],
)
def test_query_that_is_not_a_select_is_refused_before_it_runs(database: Path, query: str) -> None:
    # Regression: DROP TABLE ran (and SQLite committed it) before the loader found no rows.
    with pytest.raises(InvalidArgumentError, match="query must be a SELECT statement"):
        load("patients", f"sqlite:///{database}", query=query)
    assert contents(database) == UNTOUCHED


def test_select_after_comments_is_accepted(database: Path) -> None:
    query = "/* people */ -- all of them\n  select * from patients order by person_id"
    loaded = load("patients", f"sqlite:///{database}", query=query)
    assert loaded.frame["person_id"].tolist() == ["P1", "P2"]


def test_writing_inside_a_with_query_is_refused_by_the_database(database: Path) -> None:
    # Regression: SQLite ran and committed "WITH ... DELETE"; the loader now switches the
    # connection to read-only (PRAGMA query_only) while it reads.
    with pytest.raises(LoaderError, match="readonly database"):
        load(
            "patients",
            f"sqlite:///{database}",
            query="WITH gone AS (SELECT 1) DELETE FROM patients",
        )
    assert contents(database) == UNTOUCHED


def test_engine_passed_in_can_still_write_after_a_load(database: Path) -> None:
    # The read-only switch is undone afterwards, since an Engine keeps its connections.
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        loaded = load("patients", engine, table="patients")
        assert loaded.report.rows_read == 2
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO patients VALUES (:p, 'A', '1', '2000-01-01')"), {"p": "P3"}
            )
    finally:
        engine.dispose()
    assert contents(database) == {ODD_NAME: 1, "patients": 3}


def test_loaded_values_are_data_not_sql(database: Path) -> None:
    # A value that looks like SQL is loaded as text, exactly as stored.
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO patients VALUES (?, 'A', '1', '2000-01-01')", ("'); DROP TABLE x; --",)
        )
    loaded = load("patients", f"sqlite:///{database}", table="patients")
    assert loaded.frame["person_id"].tolist() == ["P1", "P2", "'); DROP TABLE x; --"]
    pd.testing.assert_index_equal(loaded.frame.index, pd.Index([1, 2, 3], name="row"))
