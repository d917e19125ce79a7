"""The pool does not ping before each checkout (a round trip per update saved): a pooled
connection whose server process died is found out by its first statement. The update it
served still gets its answer, and the ones after it run on fresh connections."""

from __future__ import annotations

from tests.conftest import BotEnv, PgServer

GUARDIAN = 1001


async def drop_server_connections(pg: PgServer, env: BotEnv) -> int:
    """What a PostgreSQL restart does to the bot's pooled connections: their server
    processes end."""
    import asyncpg

    database = env.db.engine.url.database
    conn = await asyncpg.connect(pg.dsn_for("postgres"))
    try:
        return len(await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()", database))
    finally:
        await conn.close()


async def test_an_update_on_a_dead_pooled_connection_is_answered(
        bot_env: BotEnv, pg_server: PgServer) -> None:
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    menu = client.last_text
    assert menu and client.buttons()
    assert await drop_server_connections(pg_server, bot_env) >= 1

    await client.send("/menu")
    assert client.last_text == menu  # the menu again, not the apology
    await client.send("/menu")
    assert client.last_text == menu
    sent = [m.text or "" for m in bot_env.session.sent_to(GUARDIAN)]
    assert len(sent) == 3 and not any("Что-то пошло не так" in text for text in sent)
