"""Alembic environment: runs on the engine CaseDesk hands over in config.attributes."""

from alembic import context
from sqlalchemy import create_engine

from casedesk.domain.schema import metadata
from casedesk.storage.migrations import include_name

config = context.config


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # plain `alembic` CLI use: a URL in the config
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            # SQLite cannot ALTER most things: batch mode copies the table instead.
            render_as_batch=True,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
