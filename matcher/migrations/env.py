"""Alembic environment for matcher's database (see docs/development.md, "Migrations").

Run in two ways: by :mod:`matcher.migrations` (``Store`` start-up, ``matcher db
upgrade``), which hands over an open connection in ``config.attributes["connection"]``;
or by the ``alembic`` command line from the repository root (configured in
pyproject.toml), which connects to ``-x db=URL``, else ``MATCHER_DB``, else the default
``var/matcher.db``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context

from matcher.config import default_db_url
from matcher.storage import metadata

config = context.config


def _configure(**kw: Any) -> None:
    # batch mode: SQLite cannot ALTER most things, so alterations are rendered as
    # "copy the table" operations there (and as plain ALTERs elsewhere)
    context.configure(target_metadata=metadata, render_as_batch=True, compare_type=True, **kw)


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("db") or default_db_url()


if context.is_offline_mode():
    _configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (conn := config.attributes.get("connection")) is not None:
    _configure(connection=conn)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = sa.create_engine(_url(), poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
