"""Provider sign-in: the callback's server time, from the provider's redirect arriving to the
303 to /workspace with the session cookie, through the real routes over the embedded store
and the loopback OAuth/OIDC provider (token exchange, ID token checked against its JWKS).
For a returning person (Google and GitHub) and a new one (account made, welcome mail
queued). Nothing slow may sit on this path: no model call, no mail sent, no calendar call.
Run `python -m bench.oauth_callback`; prints figures."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.persistence import free_port
from goalgetter.data import client as db_client
from goalgetter.data.embedded_store import EmbeddedStore
from goalgetter.data.indexes import ensure_indexes
from goalgetter.oauth_routes import OAUTH_ROUTES
from goalgetter.routes import http_routes
from goalgetter.settings import get_settings
from tests.fakes.oauth_fake import FakeOAuth

RUNS, WARMUP = 40, 3
APP = "http://localhost:8000"


async def one_sign_in(app, outside, fake: FakeOAuth, provider: str, account) -> float:
    """Milliseconds the callback took for `account` signing in at `provider`."""
    app.cookies.clear()
    fake.consent(provider, account)
    start = await app.get(f"/auth/{provider}/start")
    consent = await outside.get(start.headers["location"])
    back = urlsplit(consent.headers["location"])
    started = time.perf_counter()
    response = await app.get(f"{back.path}?{back.query}")
    spent = (time.perf_counter() - started) * 1000
    if response.status_code != 303 or "/workspace" not in response.headers["location"]:
        raise RuntimeError(f"the callback answered {response.headers.get('location')}")
    return spent


async def measure(fake: FakeOAuth) -> dict[str, list[float]]:
    await ensure_indexes(db_client.get_db())
    samples: dict[str, list[float]] = {"google returning": [], "github returning": []}
    samples["google new account"] = []
    transport = httpx.ASGITransport(app=http_routes(*OAUTH_ROUTES))
    async with (
        httpx.AsyncClient(transport=transport, base_url=APP) as app,
        httpx.AsyncClient() as outside,
    ):
        returning = {
            "google": fake.google_account("returning-google@example.test"),
            "github": fake.github_account("returning-github@example.test"),
        }
        for number in range(RUNS + WARMUP):
            for provider, account in returning.items():
                spent = await one_sign_in(app, outside, fake, provider, account)
                if number >= WARMUP:
                    samples[f"{provider} returning"].append(spent)
            new_account = fake.google_account(f"new-{number}@example.test")
            spent = await one_sign_in(app, outside, fake, "google", new_account)
            if number >= WARMUP:
                samples["google new account"].append(spent)
    return samples


def main() -> dict:
    fake = FakeOAuth().start()
    saved = dict(os.environ)
    # One address signs in far more often than a person may: no brute-force limits here.
    bench_env = {"SECRET_KEY": "bench-" + "k" * 42, "AUTH_RATE_LIMITS": "false"}
    os.environ.update({**fake.settings_env(), **bench_env})
    get_settings.cache_clear()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-oauth-") as workdir:
            store = EmbeddedStore(free_port(), Path(workdir) / "oauth.sqlite")
            try:
                db_client.configure(store.ensure_running(), "goalgetter_bench_oauth")

                async def run():
                    try:
                        return await measure(fake)
                    finally:
                        await db_client.close_clients()

                samples = asyncio.run(run())
            finally:
                store.stop()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
        fake.stop()
    figures = {}
    for case, values in samples.items():
        ordered = sorted(values)
        p50, p95 = statistics.median(values), ordered[round(0.95 * (len(ordered) - 1))]
        figures[case] = {"p50_ms": p50, "p95_ms": p95}
        print(f"provider callback to /workspace, {case}: p50 {p50:.1f}  p95 {p95:.1f} ms")
    return figures


if __name__ == "__main__":
    main()
