"""One pool per database in a process: the connection budget counts on it."""

from shared.db import Engines

URL = "postgresql+psycopg://someone:secret@127.0.0.1:1/kechuang_somewhere"


def test_dependencies_on_one_database_share_one_engine_until_the_last_lets_go() -> None:
    engines = Engines()
    store = engines.take(URL, 5)
    projection = engines.take(URL, 5)
    other = engines.take(URL.replace("somewhere", "elsewhere"), 5)
    assert projection is store
    assert other is not store
    assert store.pool.size() == 5  # type: ignore[attr-defined]

    engines.release(store)
    assert engines.take(URL, 5) is store  # still in use by the projection: kept

    engines.release(store)
    engines.release(projection)
    assert engines.take(URL, 5) is not store  # the last user let go: a fresh pool next time
