"""Foundation benchmark: the real server (uvicorn, one worker) on the demo database.

Prints median and p95 latency and requests per second of the home page and a JSON endpoint, each
against the bare endpoint (/healthz, same process, same run). Target: home page p95 under 20 ms
on SQLite.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import demo_database, measure, server, signed_in_client


def main() -> None:
    with demo_database() as env, server(env) as base:
        client = signed_in_client(base, "admin@demo.example")
        bare = measure(client, "/healthz", "bare endpoint /healthz")
        home = measure(client, "/", "home page / (administrator)")
        api = measure(client, "/api/v1/partners", "JSON /api/v1/partners")
        print(f"Server: uvicorn, 1 worker, SQLite ({env['DATABASE_URL']})")
        for figures in (bare, home, api):
            print(figures.line(bare))
        verdict = "met" if home.p95_ms < 20 else "NOT met"
        print(f"Target home page p95 < 20 ms: {verdict} ({home.p95_ms:.2f} ms)")


if __name__ == "__main__":
    main()
