"""The ``sql`` loader: a table, view or parameterised query of any SQLAlchemy database.

No SQL is ever built from user text. A ``table=`` name is checked against the database's own list
of tables and views and then selected through SQLAlchemy's reflected ``Table`` object (quoted by
the dialect); a ``query=`` is passed to ``sqlalchemy.text`` with its values bound from
``params=``. Only portable SQLAlchemy calls are used, so a PostgreSQL or SQL Server URL works like
a SQLite one once its driver is installed.

The loader only reads. A ``query=`` must be a SELECT (or a WITH ... SELECT); the connection's
transaction is always rolled back, never committed; and on SQLite, which commits some
statements by itself, the connection is made read-only (``PRAGMA query_only``) while the loader
uses it. On other databases, use an account that may only read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.engine import make_url as _make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, LoaderError
from equitymetrics.loaders._csv import duplicate_names_message
from equitymetrics.loaders._protocol import DETAILS_ATTR, check_options, number_rows

__all__ = ["SqlLoader", "describe_url"]

# Leading blanks, SQL comments and opening brackets, then the first word of the statement.
_FIRST_WORD = re.compile(r"(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/|\()*([A-Za-z]*)", re.DOTALL)
_READING_WORDS = frozenset({"select", "with"})


def _url(source: Any) -> URL:
    if isinstance(source, URL):
        return source
    if not isinstance(source, str):
        raise InvalidTypeError(
            "the 'sql' loader reads a database URL such as 'sqlite:///trust.db' (or an "
            f"SQLAlchemy Engine); got {type(source).__name__}."
        )
    try:
        return _make_url(source)
    except ArgumentError:
        raise InvalidArgumentError(
            f"{source!r} is not a database URL; write it like 'sqlite:///trust.db' or "
            "'postgresql+psycopg://user@host/db'."
        ) from None


def describe_url(url: URL) -> str:
    """The URL as text with any password hidden."""
    return url.render_as_string(hide_password=True)


def _check_sqlite_file(url: URL) -> None:
    """Refuse a SQLite URL whose file does not exist (SQLite would create an empty one)."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    if database.startswith("file:"):
        return
    if not Path(database).is_file():
        raise LoaderError(f"sql: the SQLite database file {database!r} does not exist.")


def _statement(
    connection: Connection, table: Any, query: Any, db_schema: Any
) -> tuple[sa.Executable, str]:
    if (table is None) == (query is None):
        raise InvalidArgumentError(
            "the 'sql' loader needs exactly one of table= (a table or view name) or query= "
            "(a SELECT with :name placeholders and params=)."
        )
    if query is not None:
        if not isinstance(query, str):
            raise InvalidTypeError(f"query must be a string of SQL; got {type(query).__name__}.")
        first = _FIRST_WORD.match(query)
        word = first.group(1) if first else ""
        if word.casefold() not in _READING_WORDS:
            raise InvalidArgumentError(
                f"query must be a SELECT statement (or WITH ... SELECT); it starts with "
                f"{word or query[:20]!r}. The sql loader only reads; put values in :name "
                "placeholders and pass them with params=."
            )
        return sa.text(query), f"query {query!r}"
    if not isinstance(table, str):
        raise InvalidTypeError(f"table must be a string; got {type(table).__name__}.")
    if db_schema is not None and not isinstance(db_schema, str):
        raise InvalidTypeError(f"schema must be a string; got {type(db_schema).__name__}.")
    inspector = sa.inspect(connection)
    if db_schema is not None and db_schema not in inspector.get_schema_names():
        raise LoaderError(
            f"sql: the database has no schema {db_schema!r}; its schemas are "
            f"{sorted(inspector.get_schema_names())!r}."
        )
    names = sorted(
        set(inspector.get_table_names(schema=db_schema))
        | set(inspector.get_view_names(schema=db_schema))
    )
    if table not in names:
        raise LoaderError(
            f"sql: the database has no table or view named {table!r}; it has {names!r}. "
            "Table names are matched exactly, never run as SQL; use query= for anything else."
        )
    reflected = sa.Table(table, sa.MetaData(), schema=db_schema, autoload_with=connection)
    return sa.select(reflected), f"table {table!r}"


@contextmanager
def _read_only(connection: Connection) -> Iterator[None]:
    """Keep the connection from writing while the loader uses it, and never commit.

    SQLite commits statements such as DROP TABLE, or a WITH ... DELETE, as soon as they run, so
    there ``PRAGMA query_only`` is switched on for the duration (and restored afterwards, since
    an Engine passed in keeps its connections). The transaction is rolled back in every case.
    """
    sqlite = connection.dialect.name == "sqlite"
    before = None
    if sqlite:
        before = connection.exec_driver_sql("PRAGMA query_only").scalar()
        connection.exec_driver_sql("PRAGMA query_only = ON")
    try:
        yield
    finally:
        connection.rollback()
        if sqlite and not before:
            connection.exec_driver_sql("PRAGMA query_only = OFF")


def _read(connection: Connection, options: Mapping[str, Any]) -> tuple[list[str], list[Any], str]:
    statement, what = _statement(
        connection, options.get("table"), options.get("query"), options.get("schema")
    )
    params = options.get("params")
    if params is not None and not isinstance(params, Mapping):
        raise InvalidTypeError(
            f"params must be a mapping of placeholder names to values; got {params!r}."
        )
    if params is not None and options.get("query") is None:
        raise InvalidArgumentError("params= binds the placeholders of query=; table= takes none.")
    result = connection.execute(statement, dict(params or {}))
    return list(result.keys()), list(result.fetchall()), what


class SqlLoader:
    """Read a table, view or query of a database (``loader="sql"``; chosen for URLs).

    Options
    -------
    table : str
        A table or view name, matched exactly against the database's own list.
    query : str
        A SELECT statement with ``:name`` placeholders, run through ``sqlalchemy.text``.
    params : mapping, optional
        Values for the placeholders of ``query``.
    schema : str, optional
        Database schema of ``table`` (for PostgreSQL or SQL Server).

    The source is a URL (``"sqlite:///trust.db"``, ``"postgresql+psycopg://..."``), an
    ``sqlalchemy.engine.URL`` or an ``Engine``. Rows are numbered in the order the database
    returns them: add ORDER BY to a query for a stable numbering.
    """

    name = "sql"

    def read(self, source: Any, /, **options: Any) -> pd.DataFrame:
        """Run the table read or query and return its rows as a raw table."""
        check_options(self.name, options, ("params", "query", "schema", "table"))
        if isinstance(source, Engine):
            engine, owned = source, False
        else:
            url = _url(source)
            _check_sqlite_file(url)
            try:
                engine, owned = sa.create_engine(url), True
            except NoSuchModuleError as error:
                raise LoaderError(
                    f"sql: no driver for {url.drivername!r} is installed ({error}); install it, "
                    "e.g. pip install psycopg for PostgreSQL."
                ) from None
        where = describe_url(engine.url)
        try:
            with engine.connect() as connection, _read_only(connection):
                names, rows, what = _read(connection, options)
        except SQLAlchemyError as error:
            raise LoaderError(f"sql: reading {where} failed: {error}") from None
        finally:
            if owned:
                engine.dispose()
        duplicates = duplicate_names_message(names)
        if duplicates:
            raise LoaderError(f"sql: the result of the {what} has {duplicates}.")
        frame = pd.DataFrame(
            {n: pd.Series([row[k] for row in rows], dtype=object) for k, n in enumerate(names)}
        )
        frame = number_rows(frame)
        frame.attrs[DETAILS_ATTR] = {"source": f"{where} ({what})"}
        return frame
