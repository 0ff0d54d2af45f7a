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
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table and drops the old one: with foreign keys on, the drop
            # cascades to every row referring to it (0009's downgrade lost every link citation).
            # (on the driver's connection: outside a transaction, where SQLite honours it)
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
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
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


run_migrations()
