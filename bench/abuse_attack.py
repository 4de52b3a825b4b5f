#!/usr/bin/env python3
"""abuse_attack.py — the attackers of bench/bench_abuse.sh, on loopback only.

    abuse_attack.py MODE PORT N SECONDS

MODE is one of
  slowloris  N connections each sending its request line, then one header
             line every 5 s, never the blank line; reopened when closed.
  connflood  N connections each sending one complete GET, then holding the
             connection open without another request; reopened when closed.
  oddbytes   N connections at a time sending odd requests (NUL, invalid
             UTF-8, control bytes, a missing version, huge headers, random
             bytes) and reading the answer.

Attackers connect from 127.0.1.x (60 connections per address), so they
stay under the server's default per-address cap (64) like a distributed
attack would: what is measured is the connection limit, the request
deadline and the eviction, not the per-address cap. The well-behaved
clients (wrk) come from 127.0.0.1. Prints one line: the counts seen.
"""
import random
import selectors
import socket
import sys
import time

PER_ADDR = 60


def source(i):
    k = i // PER_ADDR
    return "127.0.1.%d" % (1 + k % 250)


def opener(port, i):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.bind((source(i), 0))
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


ODD = [
    b"GET /v1/items/a%00b/together HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /v1/customers/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /v1/rules?limit=\x01\x02 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz\r\n\r\n",
    b"POST /v1/events HTTP/1.1\r\nContent-Length: 5\r\n\r\n{\"a\":",
    b"GET / HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n",
    b"\x00\x01\x02\x03 / HTTP/1.1\r\n\r\n",
]


def main():
    mode, port, n, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    sel = selectors.DefaultSelector()
    rng = random.Random(1)
    stats = {"opened": 0, "closed_by_server": 0, "answers": 0}
    conns = {}
    next_line = {}

    def open_one(i):
        try:
            s = opener(port, i)
        except OSError:
            return
        stats["opened"] += 1
        conns[s] = i
        if mode == "slowloris":
            first = b"GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\n"
        elif mode == "connflood":
            first = b"GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n"
        else:
            first = rng.choice(ODD) if rng.random() < 0.8 else bytes(
                rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        next_line[s] = time.monotonic() + 5
        sel.register(s, selectors.EVENT_WRITE, first)

    end = time.monotonic() + secs
    for i in range(n):
        open_one(i)
    while time.monotonic() < end:
        for key, ev in sel.select(timeout=0.2):
            s = key.fileobj
            if ev & selectors.EVENT_WRITE and key.data:
                try:
                    s.send(key.data)
                    sel.modify(s, selectors.EVENT_READ, None)
                    continue
                except OSError:
                    pass  # refused or reset: open another
            else:
                try:
                    d = s.recv(65536)
                except OSError:
                    d = b""
                if d:
                    stats["answers"] += 1
                    if mode != "oddbytes":
                        continue  # keep holding the connection
            i = conns.pop(s, 0)
            sel.unregister(s)
            s.close()
            stats["closed_by_server"] += 1
            open_one(i)
        if mode == "slowloris":
            now = time.monotonic()
            for s in list(conns):
                if next_line.get(s, 0) <= now:
                    try:
                        s.send(b"X-Slow: 1\r\n")
                    except OSError:
                        pass
                    next_line[s] = now + 5
    print(mode, " ".join("%s=%d" % kv for kv in sorted(stats.items())))
    for s in conns:
        s.close()


if __name__ == "__main__":
    main()
