#!/usr/bin/env bash
# bench-lib.sh: helpers shared by Postern's hand-run benchmarks (smtpd-accept.sh,
# idle-connections.sh): knobs, PID bookkeeping and cleanup, ports, per-process CPU and memory,
# the Postern instance (./postern -c DIR start|stop) and the Postfix reference instance.
# Sourced, not run. Resource sampling reuses the baseline kit's sampler.sh (BENCH_KIT) when present.
set -o errexit -o nounset -o pipefail

BENCH_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_HERE/.." && pwd)"

# ---- knobs (environment) -------------------------------------------------------------------
: "${BENCH_MSGS:=5000}"            # messages per run (smtp-source -m)
: "${BENCH_SESSIONS:=20}"          # parallel sessions (smtp-source -s)
: "${BENCH_SIZE:=5120}"            # payload bytes per message (smtp-source -l)
: "${BENCH_RUNS:=3}"               # runs per side; the median is reported
: "${BENCH_WARMUP:=500}"           # messages sent before the runs (JIT warm-up; not recorded)
: "${BENCH_TIMEOUT:=480}"          # hard cap of one run, seconds
: "${BENCH_FROM:=a@sender.test}"
: "${BENCH_TO:=user@example.test}"
: "${BENCH_STATE:=/var/tmp/postern-bench}"   # results, logs, and the instances' working folders
: "${BENCH_KIT:=$REPO/../shared/bench}"     # baseline kit (sampler.sh); optional
: "${BENCH_KEEP:=0}"               # 1 = keep the Postern working folder (spool, maillog) afterwards
: "${POSTERN:=$REPO/postern}"      # the postern command
: "${POSTERN_PORT:=22545}"         # Postern smtpd under test
: "${PF_PORT:=22535}"              # Postfix reference smtpd
: "${POSTERN_EXTRA_MAIN:=}"        # extra main.cf lines for Postern (newline separated)

LOGDIR="$BENCH_STATE/log"
mkdir -p "$BENCH_STATE" "$LOGDIR"
PIDS_FILE="$BENCH_STATE/started.$$.pids"
: > "$PIDS_FILE"
CLK_TCK=$(getconf CLK_TCK)

log()  { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
now()  { date +%s.%N; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a-b}'; }
need() { command -v "$1" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1 \
           || die "'$1' not found; install the Debian package '${2:-$1}' (see scripts/packages.txt)"; }

# ---- processes we started (stopped by PID + start time, never by name) ---------------------------
pid_start() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null || true; }
remember_pid() { echo "$1 $(pid_start "$1") $2" >> "$PIDS_FILE"; }
stop_pid() {   # stop_pid PID LABEL: TERM, wait up to 15 s, KILL; only if it is still our process
  local pid=$1 label=${2:-} rec cur i
  rec=$(awk -v p="$pid" '$1==p {print $2}' "$PIDS_FILE" 2>/dev/null | tail -1)
  cur=$(pid_start "$pid")
  if [ -n "$cur" ] && { [ -z "$rec" ] || [ "$rec" = "$cur" ]; }; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "$label (PID $pid) ignored TERM; KILL"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  sed -i "/^$pid /d" "$PIDS_FILE" 2>/dev/null || true
}

CLEANUP_HOOKS=()
on_exit() { CLEANUP_HOOKS+=("$1"); }
run_cleanup() {
  local i pid label
  for ((i = ${#CLEANUP_HOOKS[@]} - 1; i >= 0; i--)); do "${CLEANUP_HOOKS[$i]}" || true; done
  if [ -s "$PIDS_FILE" ]; then
    tac "$PIDS_FILE" | while read -r pid _ label; do [ -n "$pid" ] && stop_pid "$pid" "$label"; done
  fi
  rm -f "$PIDS_FILE"
}
trap run_cleanup EXIT
trap 'exit 130' INT TERM

# ---- ports ----------------------------------------------------------------------------------------
port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
require_free_port() { ! port_busy "$1" || die "127.0.0.1:$1 is in use; choose another port (see bench/README.md)"; }
wait_port() {  # wait_port PORT SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do port_busy "$1" && return 0; sleep 0.1; done
  return 1
}

# ---- per-process measures from /proc ----------------------------------------------------------------
cpu_s()  { awk -v t="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.2f", ($12+$13)/t }' "/proc/$1/stat"; }   # user+system of PID
hwm_mb() { awk '/^VmHWM:/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }   # peak RSS of PID
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
pss_mb() { awk '/^Pss:/ {printf "%.1f", $2/1024}' "/proc/$1/smaps_rollup" 2>/dev/null || echo -; }

# ---- resource sampler (the baseline kit's sampler.sh: peak RSS/PSS and CPU of process groups) --------
SAMPLER_PID=
start_sampler() {  # start_sampler OUTFILE name=pid ...
  local out=$1; shift
  SAMPLER_OUT=$out; SAMPLER_STOP="$out.stop"; rm -f "$out" "$SAMPLER_STOP"
  if [ ! -r "$BENCH_KIT/sampler.sh" ] || ! command -v gawk >/dev/null; then
    SAMPLER_PID=; return 0
  fi
  bash "$BENCH_KIT/sampler.sh" "$out" 0.5 "$((BENCH_TIMEOUT + 60))" "$SAMPLER_STOP" "$@" &
  SAMPLER_PID=$!
  remember_pid "$SAMPLER_PID" sampler
  sleep 0.3
}
stop_sampler() {
  [ -n "$SAMPLER_PID" ] || return 0
  touch "$SAMPLER_STOP"
  local i
  for ((i = 0; i < 100; i++)); do kill -0 "$SAMPLER_PID" 2>/dev/null || break; sleep 0.1; done
  stop_pid "$SAMPLER_PID" sampler
  wait "$SAMPLER_PID" 2>/dev/null || true
  rm -f "$SAMPLER_STOP"
  SAMPLER_PID=
}
# sampled GROUP FIELD (rss pss cpu procs) -> value or "-"
sampled() {
  [ -r "${SAMPLER_OUT:-/nonexistent}" ] || { echo -; return; }
  awk -v g="$1" -v f="$2" '$1==g { for (i=2;i<=NF;i++) { split($i,kv,"="); if (kv[1]==f) v=kv[2] } } END { print (v=="" ? "-" : v) }' "$SAMPLER_OUT"
}

# ---- Postern instance ---------------------------------------------------------------------------------
# postern_setup DIR PORT: writes DIR/main.cf and DIR/master.cf; spool, data and maillog live in DIR too
postern_setup() {
  local dir=$1 port=$2
  mkdir -p "$dir/spool" "$dir/data"
  cat > "$dir/main.cf" <<CF
# Postern benchmark instance (generated by bench/bench-lib.sh; do not edit)
queue_directory = $dir/spool
data_directory = $dir/data
mynetworks = 127.0.0.0/8
relay_domains = example.test
maillog_file = $dir/maillog
smtpd_pregreet_wait = 0
${POSTERN_EXTRA_MAIN}
CF
  cat > "$dir/master.cf" <<CF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$port inet n     -       n       -       ${POSTERN_MAXPROC:--}       smtpd
CF
}
postern_pid() { local p; p=$(tr -dc '0-9' < "$1/data/master.pid" 2>/dev/null) || true; echo "${p:-}"; }
# postern_start DIR PORT -> POSTERN_PID. The first start may build the jar (./postern does): up to 10 min.
postern_start() {
  local dir=$1 port=$2
  [ -x "$POSTERN" ] || die "postern command not found at $POSTERN (set POSTERN=...)"
  require_free_port "$port"
  log "starting Postern: $POSTERN -c $dir start"
  if ! timeout 600 "$POSTERN" -c "$dir" start >"$LOGDIR/postern-start.out" 2>&1; then
    cat "$LOGDIR/postern-start.out" >&2
    tail -20 "$dir/data/postern.out" 2>/dev/null >&2 || true
    die "postern start failed (output above; instance log: $dir/data/postern.out, $dir/maillog)"
  fi
  POSTERN_PID=$(postern_pid "$dir")
  if [ -z "$POSTERN_PID" ] || ! kill -0 "$POSTERN_PID" 2>/dev/null; then
    die "postern start returned but $dir/data/master.pid names no live process"
  fi
  remember_pid "$POSTERN_PID" postern
  wait_port "$port" 10 || die "Postern (PID $POSTERN_PID) does not listen on 127.0.0.1:$port"
  POSTERN_DIR=$dir
  on_exit postern_stop_current
  log "Postern up: PID $POSTERN_PID, smtpd 127.0.0.1:$port"
}
postern_stop_current() {
  [ -n "${POSTERN_DIR:-}" ] || return 0
  log "stopping Postern ($POSTERN -c $POSTERN_DIR stop)"
  timeout 60 "$POSTERN" -c "$POSTERN_DIR" stop >>"$LOGDIR/postern-stop.out" 2>&1 \
    || log "postern stop failed (see $LOGDIR/postern-stop.out); stopping PID $POSTERN_PID"
  [ -n "${POSTERN_PID:-}" ] && stop_pid "$POSTERN_PID" postern
  POSTERN_DIR=
}
# committed queue files in Postern's incoming queue (temporary *.tmp files excluded)
postern_queued() { find "$1/spool/incoming" -type f ! -name '*.tmp' 2>/dev/null | wc -l; }

# ---- Postfix reference instance (own config, queue and data folders; the system's Postfix is untouched) ----
# pf_ref_setup NAME EXTRA_MAIN -> PF_CONF PF_QUEUE PF_LOG
pf_ref_setup() {
  local name=$1 extra=$2
  PF_CONF="/etc/postfix-bench-$name"; PF_QUEUE="/var/spool/postfix-bench-$name"
  PF_DATA="/var/lib/postfix-bench-$name"; PF_LOG="$LOGDIR/postfix-$name.log"
  mkdir -p "$PF_CONF" "$PF_QUEUE" "$PF_DATA"
  chown postfix:postfix "$PF_DATA"; chmod 700 "$PF_DATA"
  cat > "$PF_CONF/main.cf" <<CF
# Postfix reference instance "$name" of Postern's bench (generated by bench/bench-lib.sh; do not edit)
compatibility_level = 3.6
queue_directory = $PF_QUEUE
data_directory = $PF_DATA
meta_directory = /etc/postfix
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = gw.bench.test
mydomain = bench.test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains = example.test
transport_maps = inline:{example.test=smtp:[127.0.0.1]:9}
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
local_recipient_maps =
alias_maps =
alias_database =
smtp_dns_support_level = disabled
biff = no
append_dot_mydomain = no
readme_directory = no
smtpd_banner = \$myhostname ESMTP
maillog_file = $PF_LOG
maillog_file_prefixes = $LOGDIR
$extra
CF
  cat > "$PF_CONF/master.cf" <<CF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_PORT inet n     -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
  : > "$PF_LOG"   # one log per invocation
  /usr/sbin/postfix -c "$PF_CONF" check >"$LOGDIR/postfix-$name.check" 2>&1 \
    || { cat "$LOGDIR/postfix-$name.check" >&2; postconf -c "$PF_CONF" -n >/dev/null
         die "postfix check failed for $PF_CONF (postfix logs its reason to syslog only; try: script -qc 'postfix -c $PF_CONF check' /dev/null)"; }
}
# pf_ref_start -> PF_MASTER_PID (queue purged first)
pf_ref_start() {
  local i
  require_free_port "$PF_PORT"
  /usr/sbin/postsuper -c "$PF_CONF" -d ALL >/dev/null 2>&1 || true
  /usr/sbin/postfix -c "$PF_CONF" start >"$LOGDIR/postfix-start.out" 2>&1 \
    || { cat "$LOGDIR/postfix-start.out" >&2; die "postfix start failed"; }
  for ((i = 0; i < 100; i++)); do [ -s "$PF_QUEUE/pid/master.pid" ] && break; sleep 0.1; done
  PF_MASTER_PID=$(tr -dc '0-9' < "$PF_QUEUE/pid/master.pid")
  remember_pid "$PF_MASTER_PID" "postfix-master($PF_CONF)"
  on_exit pf_ref_stop
  wait_port "$PF_PORT" 10 || die "postfix not listening on 127.0.0.1:$PF_PORT"
  log "Postfix reference up: master PID $PF_MASTER_PID, smtpd 127.0.0.1:$PF_PORT, log $PF_LOG"
}
pf_ref_stop() {
  [ -n "${PF_MASTER_PID:-}" ] || return 0
  /usr/sbin/postfix -c "$PF_CONF" stop >/dev/null 2>&1 || true
  stop_pid "$PF_MASTER_PID" postfix-master
  /usr/sbin/postsuper -c "$PF_CONF" -d ALL >/dev/null 2>&1 || true   # leave no 15,000 queue files behind
  PF_MASTER_PID=
}
# queue files of the reference instance, per queue directory
pf_queued() { find "$PF_QUEUE/$1" -type f 2>/dev/null | wc -l; }
