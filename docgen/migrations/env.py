"""Alembic environment: runs with the URL docgen.store.migrate passes in."""

from alembic import context

from docgen.store.db import engine_for
from docgen.store.models import Base

config = context.config


def run_migrations_online() -> None:
    engine = engine_for(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=Base.metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
