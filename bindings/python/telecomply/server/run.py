"""``telecomply serve``: runs the application on uvicorn."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from typing import Iterator, Mapping, Optional, Sequence

from ..errors import Error

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address or name (127.0.0.0/8, ::1, localhost)."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _at_least(low: float, kind: type = int):
    def parse(text: str):
        value = kind(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"at least {low}, not {text}")
        return value
    return parse


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, not {text}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="telecomply serve",
                                description="An HTTP API over telecomply (OpenAPI at /docs).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8080)
    p.add_argument("--store", default="cases.db", help="the case store (created when new)")
    p.add_argument("--rulesets", default=None, help="rules folder (default: the shipped rules)")
    p.add_argument("--overlay", action="append", default=[], metavar="DIR",
                   help="folder of ruleset versions layered over --rulesets (repeatable)")
    p.add_argument("--auth", default=None, help='tokens file: {"tokens": {TOKEN: {name, role}}}')
    p.add_argument("--decision-log", default=None, help="JSON Lines file of every decision")
    p.add_argument("--seal-key", default=None,
                   help="Ed25519 private key (PEM) POST /v1/seal signs with (default: no sealing)")
    p.add_argument("--header-timeout", type=_at_least(0.1, float), default=10.0,
                   help="seconds a client may take to send a request's head (default 10)")
    p.add_argument("--limit-concurrency", type=_at_least(1), default=1000,
                   help="connections and requests at once; beyond, 503 (default 1000)")
    p.add_argument("--max-body", type=_at_least(1), default=8 * 1024 * 1024, help="bytes (default 8 MiB)")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parses `argv` (without the program and `serve`), serves until stopped; exit status 2
    for bad options or files."""
    args = parser().parse_args(argv)
    if args.auth is None and not is_loopback(args.host):
        print(f"telecomply serve: --host {args.host} needs --auth: without tokens the server "
              "listens on loopback only", file=sys.stderr)
        return 2
    import uvicorn  # the server's own dependencies are imported only to serve

    from .app import Settings, create_app

    try:
        app = create_app(Settings(store=args.store, rulesets=args.rulesets,
                                  overlays=tuple(args.overlay), auth=args.auth,
                                  decision_log=args.decision_log, max_body_bytes=args.max_body,
                                  seal_key=args.seal_key))
    except Error as e:
        print(f"telecomply serve: {e}", file=sys.stderr)
        return 2
    if args.auth is None:
        print("telecomply serve: no --auth: listening on loopback only, every request acts as "
              "the local admin", file=sys.stderr)
    # bounded: slow clients time out, headers are limited, SIGTERM drains then stops
    from .protocol import with_head_timeout

    try:
        uvicorn.run(app, host=args.host, port=args.port,
                    http=with_head_timeout(args.header_timeout), timeout_keep_alive=5,
                    h11_max_incomplete_event_size=64 * 1024,
                    limit_concurrency=args.limit_concurrency, timeout_graceful_shutdown=10,
                    log_level="info")
    except SystemExit as e:  # uvicorn exits 1 when it cannot listen (the port is taken)
        return 0 if e.code in (0, None) else 2
    return 0


@contextmanager
def background(args: Sequence[str] = (), env: Optional[Mapping[str, str]] = None,
               timeout: float = 30.0) -> Iterator[str]:
    """Runs ``python -m telecomply serve ARGS`` on a free loopback port in a child process for
    the length of the block, and yields its base URL ("http://127.0.0.1:PORT") once /healthz
    answers; the server is stopped with SIGTERM at the end (its decision log closed). For
    tests, benchmarks and scripts. RuntimeError, with the server's output, when it stops or
    does not answer within `timeout` seconds."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the server's log goes to a file: a pipe nobody reads would fill and stall the server
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "telecomply", "serve", "--port", str(port),
                             *args], env=dict(env) if env is not None else dict(os.environ),
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    log.seek(0)
                    output = log.read().decode("utf-8", "replace")
                    raise RuntimeError(f"telecomply serve did not start:\n{output}") from None
                time.sleep(0.1)
        yield base
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
