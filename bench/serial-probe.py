#!/usr/bin/env python3
# serial-probe.py: the end-to-end benchmarks' latency probe (bench/e2e-lib.sh). Sends COUNT messages strictly
# one after the other over plain SMTP and, after each, waits until the backend smtp-sink has counted it (the
# counter file the benchmark's gawk reader keeps). One line per message: t_start t_dot t_ok t_sink (epoch
# seconds): connect, final "." sent, 250 received, sink's count went up. Every wait is bounded.
import argparse
import socket
import sys
import time


def read_reply(f):
    """One SMTP reply (all its lines); returns (code, text)."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise ConnectionError("connection closed")
        lines.append(line.decode("ascii", "replace").rstrip("\r\n"))
        if len(line) < 4 or line[3:4] != b"-":
            return int(lines[-1][:3]), "\n".join(lines)


def expect(f, code):
    got, text = read_reply(f)
    if got // 100 != code // 100:
        raise RuntimeError(f"expected {code}, got: {text}")


def read_count(path):
    try:
        with open(path) as fh:
            return int(fh.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def message(i, size, sender, recipient):
    """Headers and a body of about SIZE bytes of 78-character lines (like smtp-source -l)."""
    head = (f"From: <{sender}>\r\nTo: <{recipient}>\r\nSubject: serial probe {i}\r\n"
            f"Message-ID: <probe-{time.time_ns()}-{i}@sender.test>\r\n\r\n")
    line = ("La " * 26)[:78] + "\r\n"
    body = line * max(1, size // len(line))
    return (head + body).encode("ascii")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--size", type=int, default=5120)
    ap.add_argument("--sender", default="a@sender.test")
    ap.add_argument("--recipient", default="user@example.test")
    ap.add_argument("--counter", required=True, help="file holding the sink's message count")
    ap.add_argument("--out", required=True)
    ap.add_argument("--wait", type=float, default=60.0, help="longest wait for the sink per message, seconds")
    a = ap.parse_args()
    base = read_count(a.counter)
    failures = 0
    with open(a.out, "w") as out:
        for i in range(1, a.count + 1):
            data = message(i, a.size, a.sender, a.recipient)
            t_start = time.time()
            try:
                with socket.create_connection((a.host, a.port), timeout=30) as s:
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    f = s.makefile("rb")
                    expect(f, 220)
                    for cmd, code in ((b"EHLO probe.test", 250), (b"MAIL FROM:<" + a.sender.encode() + b">", 250),
                                      (b"RCPT TO:<" + a.recipient.encode() + b">", 250), (b"DATA", 354)):
                        s.sendall(cmd + b"\r\n")
                        expect(f, code)
                    s.sendall(data + b".\r\n")
                    t_dot = time.time()
                    expect(f, 250)
                    t_ok = time.time()
                    s.sendall(b"QUIT\r\n")
                    read_reply(f)
            except (OSError, RuntimeError, ConnectionError) as e:
                failures += 1
                print(f"message {i}: {e}", file=sys.stderr)
                continue
            deadline = time.time() + a.wait
            while read_count(a.counter) < base + i - failures:
                if time.time() > deadline:
                    print(f"message {i}: the sink did not count it within {a.wait} s", file=sys.stderr)
                    return 1
                time.sleep(0.0005)
            t_sink = time.time()
            out.write(f"{t_start:.6f} {t_dot:.6f} {t_ok:.6f} {t_sink:.6f}\n")
    print(f"DONE sent={a.count - failures} failures={failures}")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
