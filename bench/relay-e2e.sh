#!/usr/bin/env bash
# relay-e2e.sh: END-TO-END relay throughput and latency (issue 4's targets): smtp-source -> Postern (smtpd,
# queue, qmgr, smtp client; no content filter) -> smtp-sink, side by side with the baseline kit's
# 02-postfix-relay.sh run in the same session with the same load shape. Reports msg/s from the first
# connect until the sink has every message, serial p50/p99 latency (the kit's probe and end of DATA .. sink),
# Postern's CPU seconds per message, peak heap (jstat) and PSS/RSS. Run by hand as root; never in CI.
# See bench/README.md.
: "${BENCH_WARMUP:=200}"   # the kit's warm-up (bench-lib.sh's default is 500)
# shellcheck source=bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
# shellcheck source=e2e-lib.sh
source "$BENCH_HERE/e2e-lib.sh"

: "${BENCH_SIDES:=postfix postern}"   # postfix = the kit's 02-postfix-relay.sh

[ "$(id -u)" = 0 ] || die "run as root (the kit starts a Postfix instance; the sampler reads /proc)"
need smtp-source postfix
need smtp-sink postfix
need ss iproute2
need gawk gawk
need python3
need jstat openjdk-17-jdk-headless
[ -r "$BENCH_KIT/sampler.sh" ] || die "the baseline kit's sampler.sh is needed: $BENCH_KIT/sampler.sh (BENCH_KIT)"
SINCE=$(stamp)
log "relay-e2e: $BENCH_RUNS run(s) x $BENCH_MSGS msgs, $BENCH_SESSIONS sessions, ${BENCH_SIZE}B, warm-up $BENCH_WARMUP," \
    "probes $BENCH_LAT_MSGS msgs; sides: $BENCH_SIDES; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# The kit's Postfix relay instance once more (its lib.sh: pf_setup relay, pf_start, start_sink), for the
# probe the kit does not have: serial-probe.py, client's end of DATA .. sink. Row "lat-dataend" in e2e.tsv.
postfix_dataend() {
  [ "$BENCH_LAT_MSGS" -gt 0 ] || return 0
  local times="$LOGDIR/relay.postfix.dataend.times" out="$LOGDIR/relay.postfix.dataend.out" p50 p99 n s50 s99 t0 t1
  wait_quiet
  t0=$EPOCHREALTIME
  env BENCH_STATE="$E2E_KIT_STATE" SINK_PORT="$E2E_SINK_PORT" BENCH_NICE="$BENCH_NICE" BENCH_NICED="${BENCH_NICED:-}" \
      PROBE="$BENCH_HERE/serial-probe.py" N="$BENCH_LAT_MSGS" SIZE="$BENCH_SIZE" FROM="$BENCH_FROM" TO="$BENCH_TO" TIMES="$times" \
      timeout $((BENCH_TIMEOUT + 120)) bash -c 'source "$1/lib.sh"
        pf_setup relay "" ""; pf_start
        start_sink "$LOGDIR/dataend.sink.out" "$N"
        python3 "$PROBE" --port "$PF_PORT" --count "$N" --size "$SIZE" --sender "$FROM" --recipient "$TO" \
          --counter "$LOGDIR/dataend.sink.out" --out "$TIMES" || echo "serial-probe.py failed" >&2
        pf_wait_empty 30 || true' kit "$BENCH_KIT" >"$out" 2>&1 &
  run_bounded_child $! "kit Postfix probe" || log "WARNING: the Postfix end-of-DATA probe failed (see $out)"
  t1=$EPOCHREALTIME
  read -r p50 p99 n < <(awk '{ printf "%.6f\n", $4-$2 }' "$times" 2>/dev/null | pctl)
  read -r s50 s99 _ < <(awk '{ printf "%.6f\n", $3-$2 }' "$times" 2>/dev/null | pctl)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t-\t-\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t%s\n' "$(stamp)" relay "postfix-relay(kit 02)" lat-dataend \
    "$BENCH_LAT_MSGS" "$n" "$(fsub "$t1" "$t0")" "$p50" "$p99" \
    "serial probe (serial-probe.py) against the kit's 02 Postfix instance, client's end of DATA .. sink; end of DATA .. 250 p50 $s50 p99 $s99; no sampler (cpu/memory not measured); load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$E2E_RESULTS"
  log "postfix-relay lat-dataend: p50 $p50 p99 $p99 over $n messages"
}

postfix_side() {
  [ "$E2E_PEERS" = 1 ] || { log "E2E_PEERS=0: no peer"; return 0; }
  local since; since=$(stamp)
  run_kit 02-postfix-relay.sh || true
  kit_import relay "postfix-relay(kit 02)" 2-postfix-relay "$since"
  postfix_dataend
}

postern_side() {
  local work="$BENCH_STATE/postern-relay-e2e" old run
  old=; [ -e "$work/data/master.pid" ] && old=$(postern_pid "$work")
  if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
    die "a Postern instance from an earlier run still runs in $work (PID $old); stop it: $POSTERN -c $work stop"
  fi
  postern_e2e_setup "$work" "vscan_attachment_checks = no"
  postern_start "$work" "$POSTERN_PORT"
  local pid=$POSTERN_PID
  # warm-up (not recorded): JIT, connection cache
  start_e2e_sink "$LOGDIR/relay.warmup.sink.out" "$BENCH_WARMUP"
  timeout 120 /usr/sbin/smtp-source -s "$BENCH_SESSIONS" -m "$BENCH_WARMUP" -l "$BENCH_SIZE" -f "$BENCH_FROM" \
    -t "$BENCH_TO" "127.0.0.1:$POSTERN_PORT" >"$LOGDIR/relay.warmup.source" 2>&1 || log "warm-up smtp-source failed"
  sink_wait "$LOGDIR/relay.warmup.sink.out" $(( $(date +%s) + 120 )) || true
  log "warm-up: sink got $(sink_count "$LOGDIR/relay.warmup.sink.out")/$BENCH_WARMUP"
  stop_e2e_sink
  for ((run = 1; run <= BENCH_RUNS; run++)); do
    postern_load relay postern "$run" "$work" "$pid"
  done
  probe_kit relay postern "$POSTERN_PORT" "$pid"
  probe_dataend relay postern "$POSTERN_PORT" "$pid" "$work"
  timeout 30 jcmd "$pid" GC.heap_info > "$LOGDIR/relay.postern.heap_info" 2>&1 || true
  log "Postern: VmHWM $(hwm_mb "$pid") MB since start; GC.heap_info in $LOGDIR/relay.postern.heap_info"
  grep -E 'warning|error|fatal|panic' "$work/maillog" | grep -v 'unused parameter' | tail -5 >&2 || true
  postern_stop_current
  if [ "$BENCH_KEEP" = 1 ]; then log "kept $work (BENCH_KEEP=1)"; else rm -rf "$work"; fi
}

for side in $BENCH_SIDES; do
  case "$side" in
    postfix) postfix_side ;;
    postern) postern_side ;;
    *) die "unknown side '$side' in BENCH_SIDES (postfix, postern)" ;;
  esac
done
e2e_table relay "$SINCE"
log "rows appended to $E2E_RESULTS; logs in $LOGDIR (the kit's: $E2E_KIT_STATE/log)"
