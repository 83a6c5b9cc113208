"""libmilter's TCP listener gets TCP_NODELAY (the milter's replies must not wait for delayed ACKs)."""

from __future__ import annotations

import socket

from emoguard.milter.server import _disable_nagle


def test_disable_nagle_finds_the_listener_by_port_and_sessions_inherit_it() -> None:
    with socket.socket() as listener, socket.socket() as other:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = listener.getsockname()[1]
        _disable_nagle(f"inet:{port}@127.0.0.1")
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert not other.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        with socket.create_connection(("127.0.0.1", port)):
            session, _ = listener.accept()
            with session:
                assert session.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_disable_nagle_leaves_unix_sockets_alone() -> None:
    _disable_nagle("unix:/nonexistent/milter.sock")  # nothing to do, no error
