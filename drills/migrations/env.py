"""Alembic's entry point for the drill history: drillsim runs the migrations itself, on the
connection (already inside a transaction) that `drill_history.migrate` passes in."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
