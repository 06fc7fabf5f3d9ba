"""Alembic environment. footprint runs it in code (see ``footprint.store.migrations.upgrade``) with
a connection already inside a transaction; the ``alembic`` command line (for writing a new revision)
may pass ``-x url=sqlite:///scratch.db`` instead."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from footprint.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///scratch.db")
    with create_engine(url).begin() as conn:
        context.configure(connection=conn, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
