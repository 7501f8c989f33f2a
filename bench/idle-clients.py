#!/usr/bin/env python3
# idle-clients.py: opens N concurrent SMTP connections to one server, reads each greeting, then
# keeps them all open and silent until a stop file appears or --hold seconds pass; closes them.
# Used by idle-connections.sh (Postern's memory per idle session). Bounded in time throughout.
import argparse
import asyncio
import json
import os
import resource
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--host", default="127.0.0.1")
p.add_argument("--port", type=int, required=True)
p.add_argument("--count", type=int, default=1000)
p.add_argument("--parallel", type=int, default=100, help="connection attempts in flight at once")
p.add_argument("--greeting-timeout", type=float, default=15.0)
p.add_argument("--hold", type=float, default=120.0, help="upper bound of the idle phase, seconds")
p.add_argument("--ready-file", required=True, help="written (JSON stats) once all connections are up")
p.add_argument("--stop-file", required=True, help="its appearance ends the idle phase")
a = p.parse_args()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = a.count + 64
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    soft = min(want, hard)
if soft < want:
    sys.exit(f"open-file limit {soft} < {want}; raise it (ulimit -n)")

stats = {"wanted": a.count, "connected": 0, "greeted": 0, "failed": 0, "codes": {}, "errors": {},
         "closed_by_server": 0}
conns = []


async def open_one(sem):
    async with sem:
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(a.host, a.port), a.greeting_timeout)
        except Exception as e:
            stats["failed"] += 1
            stats["errors"][type(e).__name__] = stats["errors"].get(type(e).__name__, 0) + 1
            return
        stats["connected"] += 1
        try:
            line = await asyncio.wait_for(r.readline(), a.greeting_timeout)
            code = line[:3].decode("ascii", "replace") or "EOF"
        except Exception as e:
            code = type(e).__name__
        stats["codes"][code] = stats["codes"].get(code, 0) + 1
        if code == "220":
            stats["greeted"] += 1
        conns.append((r, w))


async def watch(r):
    # a read that completes means the server sent something or closed: count closes
    try:
        data = await r.read(4096)
        if not data:
            stats["closed_by_server"] += 1
    except Exception:
        stats["closed_by_server"] += 1


async def main():
    t0 = time.monotonic()
    sem = asyncio.Semaphore(a.parallel)
    await asyncio.gather(*(open_one(sem) for _ in range(a.count)))
    stats["open_seconds"] = round(time.monotonic() - t0, 3)
    watchers = [asyncio.ensure_future(watch(r)) for r, _ in conns]
    tmp = a.ready_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump(stats, f)
    os.rename(tmp, a.ready_file)
    print("READY", json.dumps(stats), flush=True)
    deadline = time.monotonic() + a.hold
    while time.monotonic() < deadline and not os.path.exists(a.stop_file):
        await asyncio.sleep(0.2)
    stats["held_seconds"] = round(time.monotonic() - t0 - stats["open_seconds"], 1)
    for _, w in conns:
        w.close()
    for t in watchers:
        t.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    print("DONE", json.dumps(stats), flush=True)


asyncio.run(main())
