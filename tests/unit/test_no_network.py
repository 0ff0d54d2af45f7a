"""The suite's no-network guard: a socket to a host off this machine fails the test; loopback works."""

from __future__ import annotations

import socket

import pytest


def test_a_connection_to_a_public_address_fails_the_test() -> None:
    with pytest.raises(AssertionError, match="not a loopback address"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)


def test_a_name_lookup_off_the_machine_fails_the_test() -> None:
    with pytest.raises(AssertionError, match="not a loopback address"):
        socket.getaddrinfo("example.org", 443)


def test_loopback_is_allowed() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        with socket.create_connection(server.getsockname(), timeout=1):
            pass
        assert socket.getaddrinfo("localhost", 80)
    finally:
        server.close()
