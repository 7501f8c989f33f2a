#!/usr/bin/env bash
# smtpd-accept.sh: how fast Postern's smtpd ACCEPTS mail into its queue (issue 2's target), side by
# side with a stock Postfix receiving the same load into its own queue with delivery held.
#   smtp-source -s 20 -m 5000 -l 5120 -f a@sender.test -t user@example.test 127.0.0.1:PORT
# Rate = messages queued / seconds until smtp-source exits (the baseline kit's accept_s).
# Also Postern's peak RSS/PSS and CPU seconds. Run by hand as root; never in CI. See bench/README.md.
# shellcheck source=bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

: "${BENCH_SIDES:=postfix postern}"   # which sides to run, in this order
: "${BENCH_QUIET_MAX:=0.5}"           # wait (bounded) before a run until other processes use < this many cores
: "${BENCH_QUIET_WAIT:=60}"

[ "$(id -u)" = 0 ] || die "run as root (starts a Postfix instance, reads /proc of its processes)"
need smtp-source postfix
need ss iproute2
need gawk gawk
[ -n "$BENCH_SIDES" ] || die "BENCH_SIDES is empty"
RESULTS="$BENCH_STATE/smtpd-accept.tsv"
[ -s "$RESULTS" ] || printf 'date\tside\trun\tmsgs\tgot\taccept_s\tmsgs_per_s\tcpu_s\tpeak_rss_MB\tpeak_pss_MB\tbusy_cores\tnotes\n' > "$RESULTS"
SINCE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
if [ ! -r "$BENCH_KIT/sampler.sh" ] || ! command -v gawk >/dev/null; then
  log "NOTE: $BENCH_KIT/sampler.sh or gawk missing: Postfix memory/CPU will show '-' (Postern's come from /proc)"
fi

busy_cores() {  # average busy cores of the whole machine over $1 seconds
  local a b
  a=$(head -1 /proc/stat); sleep "$1"; b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" -v n="$(nproc)" 'BEGIN{split(a,x," ");split(b,y," ");t=0;for(i=2;i<=9;i++)t+=y[i]-x[i];u=(y[2]+y[3]+y[4])-(x[2]+x[3]+x[4]);printf "%.2f",(t>0)?u/t*n:0}'
}
wait_quiet() {
  local deadline=$(( $(date +%s) + BENCH_QUIET_WAIT )) c
  c=$(busy_cores 1)
  while awk -v b="$c" -v m="$BENCH_QUIET_MAX" 'BEGIN{exit !(b>m)}' && [ "$(date +%s)" -lt "$deadline" ]; do
    log "machine busy ($c cores used by others); waiting up to ${BENCH_QUIET_WAIT}s"; sleep 3; c=$(busy_cores 1)
  done
}

smtp_source() {  # smtp_source PORT COUNT OUTFILE -> exit code
  timeout "$BENCH_TIMEOUT" /usr/sbin/smtp-source -s "$BENCH_SESSIONS" -m "$2" -l "$BENCH_SIZE" \
    -f "$BENCH_FROM" -t "$BENCH_TO" "127.0.0.1:$1" >"$3" 2>&1
}

# one_side SIDE PORT GROUP_PID QUEUED_FN
one_side() {
  local side=$1 port=$2 gpid=$3 queued=$4 run q0 q1 t0 t1 rc got acc rate cpu0 cpu rss pss cores out notes
  log "$side: warm-up with $BENCH_WARMUP messages"
  smtp_source "$port" "$BENCH_WARMUP" "$LOGDIR/$side.warmup.out" || log "$side: warm-up smtp-source failed (see $LOGDIR/$side.warmup.out)"
  for ((run = 1; run <= BENCH_RUNS; run++)); do
    wait_quiet
    out="$LOGDIR/$side.run$run"
    q0=$($queued)
    cpu0=$(cpu_s "$gpid")
    start_sampler "$out.res" "$side=$gpid"
    t0=$(now)
    rc=0; smtp_source "$port" "$BENCH_MSGS" "$out.source" || rc=$?
    t1=$(now)
    stop_sampler
    q1=$($queued)
    got=$((q1 - q0)); acc=$(fsub "$t1" "$t0")
    rate=$(awk -v n="$got" -v t="$acc" 'BEGIN{printf "%.1f", (t>0)?n/t:0}')
    notes="smtp-source exit $rc"
    [ "$rc" = 0 ] || notes="$notes: $(tail -1 "$out.source" | tr '\t' ' ')"
    if [ "$side" = postern ]; then   # one JVM: exact figures from /proc
      cpu=$(fsub "$(cpu_s "$gpid")" "$cpu0")
      rss=$(sampled "$side" rss); [ "$rss" = - ] && rss=$(rss_mb "$gpid")
      pss=$(sampled "$side" pss); [ "$pss" = - ] && pss=$(pss_mb "$gpid")
      notes="$notes; VmHWM (peak RSS since start) $(hwm_mb "$gpid") MB"
    else                             # master + smtpd/cleanup/... children: the sampler's sums
      cpu=$(sampled "$side" cpu); rss=$(sampled "$side" rss); pss=$(sampled "$side" pss)
      notes="$notes; $(sampled "$side" procs) processes at most"
    fi
    cores=$(awk '$1=="machine" { for (i=2;i<=NF;i++) { split($i,kv,"="); if (kv[1]=="cores") print kv[2] } }' "$out.res" 2>/dev/null)
    [ "$got" = "$BENCH_MSGS" ] || notes="$notes; WARNING: $got of $BENCH_MSGS queued"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$side" "$run" \
      "$BENCH_MSGS" "$got" "$acc" "$rate" "$cpu" "$rss" "$pss" "${cores:--}" "$notes" >> "$RESULTS"
    log "$side run $run: $got queued in ${acc}s => $rate msg/s; cpu ${cpu}s, peak RSS ${rss} MB, PSS ${pss} MB ($notes)"
  done
}

postfix_side() {
  # Delivery held with the HOLD access action: smtpd -> cleanup -> queue file fsync'd and renamed
  # into hold/ instead of incoming/; qmgr runs but never sees it. See README for why not
  # defer_transports (qmgr and bounce work per message) or a disabled qmgr (cleanup then warns and
  # stalls on every message).
  pf_ref_setup postern-accept "smtpd_data_restrictions = check_client_access static:HOLD"
  pf_ref_start
  pf_count() { pf_queued hold; }
  one_side postfix "$PF_PORT" "$PF_MASTER_PID" pf_count
  local other; other=$(( $(pf_queued incoming) + $(pf_queued active) + $(pf_queued deferred) ))
  [ "$other" = 0 ] || log "WARNING: $other Postfix queue files outside hold/ (delivery was not held?)"
  pf_ref_stop
}

postern_side() {
  local work="$BENCH_STATE/postern-accept"
  local old; old=$(postern_pid "$work")
  if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
    die "a Postern instance from an earlier run still runs in $work (PID $old); stop it: $POSTERN -c $work stop"
  fi
  rm -rf "$work"
  postern_setup "$work" "$POSTERN_PORT"
  [ "$(stat -c %d "$work")" = "$(stat -c %d /var/spool)" ] \
    || log "WARNING: $work and /var/spool are on different filesystems: fsync costs differ between the sides"
  postern_start "$work" "$POSTERN_PORT"
  pt_count() { postern_queued "$work"; }
  one_side postern "$POSTERN_PORT" "$POSTERN_PID" pt_count
  postern_stop_current
  if [ "$BENCH_KEEP" = 1 ]; then log "kept $work (BENCH_KEEP=1)"; else rm -rf "$work"; fi
}

log "smtpd-accept: $BENCH_RUNS run(s) x $BENCH_MSGS msgs, $BENCH_SESSIONS sessions, ${BENCH_SIZE}B payload; sides: $BENCH_SIDES"
for side in $BENCH_SIDES; do
  case "$side" in
    postfix) postfix_side ;;
    postern) postern_side ;;
    *) die "unknown side '$side' in BENCH_SIDES (postfix, postern)" ;;
  esac
done

# ---- report: this invocation's runs, medians, ratio ----
gawk -F'\t' -v since="$SINCE" '
  function med(a,n,  t,i){ if(!n) return "-"; for(i=1;i<=n;i++) t[i]=a[i]; asort(t); return (n%2)? t[(n+1)/2] : sprintf("%.1f",(t[n/2]+t[n/2+1])/2) }
  NR>1 && $1>=since {
    printf "%-8s %3s %6s %9s %9s %8s %11s %11s %6s  %s\n", $2,$3,$5,$6,$7,$8,$9,$10,$11,$12
    r[$2,++n[$2]]=$7; if ($2=="postern") { if ($9+0>rssmax) rssmax=$9; if ($10+0>pssmax) pssmax=$10; cpus=cpus" "$8 }
  }
  BEGIN { printf "\n%-8s %3s %6s %9s %9s %8s %11s %11s %6s  %s\n", "side","run","got","accept_s","msg/s","cpu_s","peak_rss_MB","peak_pss_MB","cores","notes" }
  END {
    for (s in n) { delete a; for (i=1;i<=n[s];i++) a[i]=r[s,i]; m[s]=med(a,n[s]) }
    printf "\nmedian msg/s accepted into the queue: postfix %s, postern %s", ("postfix" in m)?m["postfix"]:"-", ("postern" in m)?m["postern"]:"-"
    if (("postfix" in m) && ("postern" in m) && m["postfix"]>0) printf "; ratio postern/postfix = %.2f", m["postern"]/m["postfix"]
    printf "\n"
    if ("postern" in m) printf "postern: peak RSS %s MB, peak PSS %s MB over the runs; CPU seconds per run:%s\n", rssmax, pssmax, cpus
  }' "$RESULTS"
log "results appended to $RESULTS; logs in $LOGDIR"
