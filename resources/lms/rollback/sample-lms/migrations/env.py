"""Runs the LMS migrations against the database named by LMS_DATABASE_URL.

One transaction per migration, so that a downgrade that fails half way leaves the database at
the last revision that completed, and `alembic current` says which.
"""
import os

from alembic import context
from sqlalchemy import create_engine

config = context.config
if config.config_file_name is not None:
    from logging.config import fileConfig
    fileConfig(config.config_file_name)


def run_migrations_online():
    engine = create_engine(os.environ["LMS_DATABASE_URL"])
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        context.run_migrations()


run_migrations_online()
