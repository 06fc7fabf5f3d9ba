"""Schema migrations, run in code when a store is opened: no alembic.ini is needed at runtime.

The revision a database is at is recorded in its ``alembic_version`` table. A database at a revision
this footprint does not know was written by a newer footprint: it is refused, never touched.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from footprint.errors import StoreError

HERE = Path(__file__).resolve().parent
_PG_LOCK = 0x666F6F7470  # "footp": one migration at a time per PostgreSQL database


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def head() -> str:
    found = ScriptDirectory.from_config(config()).get_current_head()
    assert found is not None, "the migrations directory has no revisions"
    return found


def current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def upgrade(engine: Engine) -> str:
    """Bring the database to the newest revision, in one transaction; return that revision."""
    cfg = config()
    script = ScriptDirectory.from_config(cfg)
    known = {s.revision for s in script.walk_revisions()}
    target = head()
    with engine.connect() as conn:
        conn.execution_options(footprint_write=True)  # SQLite: BEGIN IMMEDIATE, one opener at a time
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
            at = current(conn)
            newer = at - known
            if newer:
                raise StoreError(f"the case store is at schema revision {', '.join(sorted(newer))}, which "
                                 f"this footprint does not know (its newest is {target}): "
                                 "it was written by a newer footprint")
            if at != {target}:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
    return target
