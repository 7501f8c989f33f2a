#!/usr/bin/env bash
# idle-connections.sh: memory Postern spends on idle SMTP sessions. Starts Postern, measures its
# heap (jstat/jcmd) and RSS, opens BENCH_IDLE_CONNS (1,000) concurrent connections that only read
# the greeting and stay silent (idle-clients.py, asyncio), measures again, closes them, stops
# Postern. Prints used heap (as found and after a full GC), RSS, PSS, threads, fds, and the
# difference per connection. Run by hand as root; never in CI. See bench/README.md.
# shellcheck source=bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

: "${BENCH_IDLE_CONNS:=1000}"     # concurrent idle connections
: "${BENCH_IDLE_HOLD:=120}"       # upper bound of the idle phase, seconds
: "${BENCH_IDLE_SETTLE:=3}"       # seconds between "all connected" and the measurement

need python3
need jcmd openjdk-17-jdk-headless
need jstat openjdk-17-jdk-headless
need ss iproute2
# room for 1,000 client sockets here and 1,000 server sockets in Postern (inherits this limit)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((BENCH_IDLE_CONNS * 2 + 200)) ] || die "open-file limit $(ulimit -n) too low for $BENCH_IDLE_CONNS connections"

WORK="$BENCH_STATE/postern-idle"
old=$(postern_pid "$WORK")
if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
  die "a Postern instance from an earlier run still runs in $WORK (PID $old); stop it: $POSTERN -c $WORK stop"
fi
rm -rf "$WORK"
POSTERN_MAXPROC=0 postern_setup "$WORK" "$POSTERN_PORT"   # maxproc 0: no session limit (default_process_limit is 100)
postern_start "$WORK" "$POSTERN_PORT"
PID=$POSTERN_PID

# heap_used_mb PID: used Java heap now (jstat -gc: S0U+S1U+EU+OU, KB), from jcmd when jstat fails
heap_used_mb() {
  local v
  v=$(timeout 20 jstat -gc "$1" 2>/dev/null | awk 'NR==1 { for (i=1;i<=NF;i++) c[$i]=i } NR==2 { printf "%.1f", ($c["S0U"]+$c["S1U"]+$c["EU"]+$c["OU"])/1024 }')
  if [ -z "$v" ]; then
    v=$(timeout 20 jcmd "$1" GC.heap_info 2>/dev/null | awk '/(heap|generation|Gen) +total/ { for (i=1;i<=NF;i++) if ($i=="used") { x=$(i+1); sub(/K,?$/,"",x); s+=x } } END { if (s) printf "%.1f", s/1024 }')
  fi
  echo "${v:--}"
}
# snapshot LABEL: one line of figures; also keeps jcmd GC.heap_info in the log
snapshot() {
  local label=$1 used live
  used=$(heap_used_mb "$PID")
  timeout 30 jcmd "$PID" GC.heap_info > "$LOGDIR/idle.$label.heap_info" 2>&1 || true
  timeout 60 jcmd "$PID" GC.run >/dev/null 2>&1 || log "jcmd GC.run failed"
  live=$(heap_used_mb "$PID")
  printf '%s %s %s %s %s %s %s\n' "$label" "$used" "$live" "$(rss_mb "$PID")" "$(pss_mb "$PID")" \
    "$(awk '/^Threads:/ {print $2}' "/proc/$PID/status")" "$(find "/proc/$PID/fd" -mindepth 1 -maxdepth 1 | wc -l)"
}

sleep 2   # let start-up allocation settle
BEFORE=$(snapshot before)
log "before: $BEFORE"

READY="$LOGDIR/idle.ready"; STOP="$LOGDIR/idle.stop"; rm -f "$READY" "$STOP"
python3 "$BENCH_HERE/idle-clients.py" --port "$POSTERN_PORT" --count "$BENCH_IDLE_CONNS" \
  --hold "$BENCH_IDLE_HOLD" --ready-file "$READY" --stop-file "$STOP" >"$LOGDIR/idle.clients.out" 2>&1 &
CLIENT_PID=$!
remember_pid "$CLIENT_PID" idle-clients
stop_clients() { touch "$STOP"; }
on_exit stop_clients
for ((i = 0; i < 1200; i++)); do
  [ -e "$READY" ] && break
  kill -0 "$CLIENT_PID" 2>/dev/null || { cat "$LOGDIR/idle.clients.out" >&2; die "idle-clients.py ended early"; }
  sleep 0.1
done
[ -e "$READY" ] || die "connections not up within 120 s (see $LOGDIR/idle.clients.out)"
log "clients: $(cat "$READY")"
sleep "$BENCH_IDLE_SETTLE"
ESTAB=$(ss -Htn state established "( sport = :$POSTERN_PORT )" | wc -l)
AFTER=$(snapshot idle)
log "with idle connections: $AFTER (server side established: $ESTAB)"

touch "$STOP"
for ((i = 0; i < 300; i++)); do kill -0 "$CLIENT_PID" 2>/dev/null || break; sleep 0.1; done
stop_pid "$CLIENT_PID" idle-clients
wait "$CLIENT_PID" 2>/dev/null || true
DONE=$(grep '^DONE' "$LOGDIR/idle.clients.out" | cut -d' ' -f2- || true)

GREETED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["greeted"])' "$READY")
printf '\n%-26s %14s %14s %9s %9s %8s %6s\n' "" "heap_used_MB" "heap_live_MB" "RSS_MB" "PSS_MB" "threads" "fds"
for line in "$BEFORE" "$AFTER"; do
  # shellcheck disable=SC2086
  set -- $line
  printf '%-26s %14s %14s %9s %9s %8s %6s\n' "$([ "$1" = before ] && echo "no connections" || echo "$GREETED idle connections")" "$2" "$3" "$4" "$5" "$6" "$7"
done
awk -v b="$BEFORE" -v a="$AFTER" -v n="$GREETED" 'BEGIN {
  split(b, x, " "); split(a, y, " ")
  if (n > 0 && x[3] != "-" && y[3] != "-") printf "\nper idle connection: live heap %.1f KB, RSS %.1f KB, heap as found %.1f KB (%d connections greeted)\n", (y[3]-x[3])*1024/n, (y[4]-x[4])*1024/n, (y[2]-x[2])*1024/n, n
}'
echo "server-side established connections at the measurement: $ESTAB"
echo "clients: ${DONE:-$(cat "$READY")}"
echo "jcmd GC.heap_info before/after: $LOGDIR/idle.before.heap_info $LOGDIR/idle.idle.heap_info"
postern_stop_current
if [ "$BENCH_KEEP" = 1 ]; then log "kept $WORK (BENCH_KEEP=1)"; else rm -rf "$WORK"; fi
