"""Slow clients against a real `telecomply serve` (uvicorn on loopback): a client trickling its
request head is cut off after --header-timeout, and the server answers others meanwhile."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest

pytest.importorskip("fastapi", reason="the server extra: pip install 'telecomply[server]'")

from telecomply.server.run import background  # noqa: E402


def test_a_slow_request_head_is_cut_off_and_others_are_served(tmp_path):
    with background(["--store", str(tmp_path / "cases.db"), "--header-timeout", "1"]) as base:
        port = int(base.rsplit(":", 1)[1])
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        started = time.monotonic()
        # others are served while it hangs
        assert urllib.request.urlopen(base + "/healthz", timeout=5).status == 200
        slow.settimeout(5)
        assert slow.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 4
        slow.close()
        # a kept-alive connection's next head is bounded the same way
        kept = socket.create_connection(("127.0.0.1", port))
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        kept.settimeout(5)
        response = b""
        while not response.endswith(b"}"):  # the whole response: head and JSON body
            response += kept.recv(4096)
        assert response.startswith(b"HTTP/1.1 200")
        kept.sendall(b"GET /healthz HTTP/1.1\r\n")
        assert kept.recv(1024) == b""
        kept.close()
