"""WSGI entry for the outcome-page benchmark: the real app plus a minimal Flask page
(``/__bench/ping``) on the same server, so both are measured under the same conditions."""
from app import create_app

app = create_app()


@app.get("/__bench/ping")
def _bench_ping():
    return "ok"
