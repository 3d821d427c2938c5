#!/usr/bin/env bash
# Local single-node Apache Kafka 4.x (KRaft, broker+controller in one JVM)
# for development, tests and CI. No Docker needed: the jars come from Maven
# Central through kafka/pom.xml (mvn's ~/.m2 cache keeps them between runs).
#
# Usage: scripts/kafka.sh start|stop|status|reset
#
#   start   fetch jars if needed, format storage once, start the broker in the
#           background and wait until it really answers on 127.0.0.1:9092.
#           No-op if our broker is already running.
#   stop    stop the broker (TERM, up to 30 s, then KILL). Exit 0 even if it
#           was not running.
#   status  "running" (exit 0) or "not running" (exit 1).
#   reset   stop and delete the broker's data (topics, offsets, cluster id);
#           the downloaded jars are kept.
#
# Environment:
#   KAFKA_STATE_DIR      state dir (default: <repo>/.kafka; a relative path is
#                        taken relative to the current directory)
#   KAFKA_PORT           client port (default: 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller port (default: KAFKA_PORT + 1)
#   KAFKA_LIBS_DIR       where the jars go (default: <repo>/.kafka/libs), shared
#                        by every state dir, so a second broker (another state
#                        dir and ports, e.g. a test that restarts its own broker)
#                        fetches nothing
#   KAFKA_HEAP           broker max heap, passed as -Xmx (default: 512m)
#   KAFKA_START_TIMEOUT  seconds to wait for the broker to answer (default: 90)
#
# State dir layout: server.properties, client.properties, cluster.id,
# data/ (log.dirs), logs/server.log, kafka.out (JVM stdout/stderr), kafka.pid.
# Jars: KAFKA_LIBS_DIR, with <libs>.stamp (pom hash).
#
# Exit codes: 0 ok, 1 failure (jar fetch, start, timeout), 2 usage / ports
# taken by something that is not Kafka, 3 java or mvn missing/too old.
#
# Running a CLI tool by hand against the broker:
#   java -cp '.kafka/libs/*' org.apache.kafka.tools.TopicCommand \
#        --bootstrap-server 127.0.0.1:9092 --list
set -euo pipefail

HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
BOOTSTRAP="$HOST:$PORT"
if ! [[ "$PORT" =~ ^[0-9]+$ && "$CONTROLLER_PORT" =~ ^[0-9]+$ ]] || [[ "$PORT" == "$CONTROLLER_PORT" ]]; then
  printf 'kafka: KAFKA_PORT and KAFKA_CONTROLLER_PORT must be two different port numbers\n' >&2
  exit 2
fi

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
POM="$ROOT/kafka/pom.xml"
LOG4J_CONF="$ROOT/kafka/log4j2.properties"

STATE="${KAFKA_STATE_DIR:-$ROOT/.kafka}"
case "$STATE" in /*) ;; *) STATE="$PWD/$STATE" ;; esac
STATE="${STATE%/}"
HEAP="${KAFKA_HEAP:-512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"

LIBS="${KAFKA_LIBS_DIR:-$ROOT/.kafka/libs}"
case "$LIBS" in /*) ;; *) LIBS="$PWD/$LIBS" ;; esac
LIBS="${LIBS%/}"
STAMP="$LIBS.stamp"
DATA="$STATE/data"
LOGS="$STATE/logs"
PIDFILE="$STATE/kafka.pid"
OUTFILE="$STATE/kafka.out"
SERVER_PROPS="$STATE/server.properties"
CLIENT_PROPS="$STATE/client.properties"
CLUSTER_ID_FILE="$STATE/cluster.id"
LOCKFILE="$STATE/.lock"

say() { printf 'kafka: %s\n' "$*"; }
err() { printf 'kafka: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- helpers --

# Serialise start/stop/reset across concurrent callers (parallel test jobs).
# fd 9 must NOT leak into the broker JVM (it would hold the lock forever).
take_lock() {
  mkdir -p "$STATE"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$LOCKFILE"
    if ! flock -w 300 9; then
      err "timed out waiting for another kafka.sh on $STATE ($LOCKFILE)"
      exit 1
    fi
  fi
}

port_open() { # port
  timeout 2 bash -c "</dev/tcp/$HOST/$1" >/dev/null 2>&1
}

proc_cmdline() { # pid
  if [[ -r "/proc/$1/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
  else
    ps -p "$1" -o args= 2>/dev/null || true
  fi
}

# Prints the pid of OUR broker (pid file + live process that is kafka.Kafka
# with our server.properties) and returns 0; returns 1 otherwise.
our_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmd
  cmd="$(proc_cmdline "$pid")"
  [[ "$cmd" == *kafka.Kafka*"$SERVER_PROPS"* ]] || return 1
  printf '%s\n' "$pid"
}

port_owner() { # port -> "java pid=123" or empty
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -1 || true
  fi
}

require_java() {
  if ! command -v java >/dev/null 2>&1; then
    err "java not found on PATH (Kafka 4.x needs Java 17+)"
    exit 3
  fi
  local v major
  v="$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)"
  major="${v%%.*}"
  [[ "$major" == 1 ]] && major="$(echo "$v" | cut -d. -f2)"
  if [[ "$major" =~ ^[0-9]+$ ]] && ((major < 17)); then
    err "java $v found, but Kafka 4.x needs Java 17+"
    exit 3
  fi
}

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

libs_fresh() {
  [[ -d "$LIBS" && -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$(pom_hash)" ]] &&
    compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null
}

ensure_libs() {
  libs_fresh && return 0
  # brokers of other state dirs share the jars: one fetch at a time, and none
  # replaced under a broker that another caller has just started from them
  mkdir -p "$(dirname "$LIBS")"
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$LIBS.lock"
    if ! flock -w 600 8; then
      err "timed out waiting for another kafka.sh fetching jars into $LIBS"
      exit 1
    fi
    if libs_fresh; then
      exec 8>&-
      return 0
    fi
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    err "mvn not found on PATH (needed once to fetch the Kafka jars from Maven Central)"
    exit 3
  fi
  say "fetching Kafka jars with maven (first run or kafka/pom.xml changed)..."
  local tmp="$LIBS.tmp" mlog="$LIBS.mvn.log" t0=$SECONDS
  rm -rf "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime >"$mlog" 2>&1; then
    err "maven could not fetch the Kafka jars; last lines of $mlog:"
    tail -n 30 "$mlog" >&2
    rm -rf "$tmp"
    exit 1
  fi
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  pom_hash >"$STAMP"
  exec 8>&-
  say "jars ready in $LIBS ($((SECONDS - t0)) s)"
}

# Short-lived CLI tool JVM (fast-start flags); its logging goes to
# logs/tools.log. First argument: time limit in seconds.
tool_java() { # secs class args...
  local secs="$1"
  shift
  timeout -s KILL "$secs" java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$LOG4J_CONF" \
    -Dkafka.logs.dir="$LOGS" -Dkafka.log.file=tools.log \
    -cp "$LIBS/*" "$@"
}

# A real metadata round-trip (list topics), not just an open socket.
metadata_ok() {
  tool_java 30 org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$BOOTSTRAP" --command-config "$CLIENT_PROPS" \
    --list >/dev/null 2>&1 9>&-
}

new_cluster_id() {
  # Same shape as Uuid.randomUuid(): 16 random bytes, URL-safe base64, no
  # padding; Kafka rejects ids that start with '-'.
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* && ${#id} -eq 22 ]] && break
  done
  printf '%s\n' "$id"
}

write_configs() {
  mkdir -p "$DATA" "$LOGS"
  local tmp="$SERVER_PROPS.tmp"
  cat >"$tmp" <<EOF
# Generated by scripts/kafka.sh on every start -- edit the script, not this.
# Single combined KRaft node (broker + controller).
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA

# One node: every internal topic has replication factor 1 / min ISR 1.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1

group.initial.rebalance.delay.ms=0
num.partitions=1
default.replication.factor=1
# Clients must create their topics explicitly.
auto.create.topics.enable=false
delete.topic.enable=true
EOF
  mv "$tmp" "$SERVER_PROPS"
  cat >"$CLIENT_PROPS" <<EOF
# Admin-client settings used by kafka.sh's readiness probe.
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

format_storage_once() {
  [[ -f "$DATA/meta.properties" ]] && return 0
  # A half-formatted dir (e.g. an interrupted first start) is thrown away.
  rm -rf "$DATA"
  mkdir -p "$DATA"
  [[ -s "$CLUSTER_ID_FILE" ]] || new_cluster_id >"$CLUSTER_ID_FILE"
  local cid flog="$LOGS/format.out"
  cid="$(cat "$CLUSTER_ID_FILE")"
  say "formatting storage in $DATA (cluster id $cid)"
  if ! tool_java 120 kafka.tools.StorageTool \
      format -t "$cid" -c "$SERVER_PROPS" --standalone >"$flog" 2>&1; then
    err "formatting storage failed:"
    cat "$flog" >&2
    exit 1
  fi
}

show_log_tail() {
  err "---- last lines of $OUTFILE ----"
  tail -n 20 "$OUTFILE" >&2 2>/dev/null || true
  err "---- last lines of $LOGS/server.log ----"
  tail -n 40 "$LOGS/server.log" >&2 2>/dev/null || true
}

wait_ready() { # pid
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      err "broker process $pid exited during startup"
      show_log_tail
      rm -f "$PIDFILE"
      exit 1
    fi
    if port_open "$PORT" && metadata_ok; then
      return 0
    fi
    sleep 0.5
  done
  err "broker did not answer on $BOOTSTRAP within ${START_TIMEOUT}s (pid $pid still running; see kafka.sh stop)"
  show_log_tail
  exit 1
}

# --------------------------------------------------------------- commands --

cmd_start() {
  take_lock
  local pid t0=$SECONDS
  if pid="$(our_pid)"; then
    if port_open "$PORT"; then
      say "already running on $BOOTSTRAP"
      return 0
    fi
    # Our broker is alive but not (yet) answering: wait for it.
    require_java
    write_configs_if_missing
    wait_ready "$pid"
    say "ready on $BOOTSTRAP"
    return 0
  fi
  rm -f "$PIDFILE"

  require_java
  ensure_libs

  if port_open "$PORT" || port_open "$CONTROLLER_PORT"; then
    local owner
    owner="$(port_owner "$PORT")"
    [[ -n "$owner" ]] || owner="$(port_owner "$CONTROLLER_PORT")"
    [[ -f "$CLIENT_PROPS" ]] || write_configs
    if port_open "$PORT" && metadata_ok; then
      say "already running on $BOOTSTRAP (a Kafka broker not started from $STATE${owner:+: $owner}); using it"
      return 0
    fi
    err "port $PORT or $CONTROLLER_PORT on $HOST is taken by something that is not a Kafka broker${owner:+ ($owner)}"
    exit 2
  fi

  write_configs
  format_storage_once

  : >"$OUTFILE"
  # setsid: survive the caller's Ctrl-C / process-group kill. The inner bash
  # closes every inherited fd above 2 (our lock, a caller's pipes or IPC
  # channel, which the long-lived JVM would otherwise hold open), records its
  # own pid and execs java, so the pid file holds the JVM's pid.
  local detach=()
  command -v setsid >/dev/null 2>&1 && detach=(setsid)
  # shellcheck disable=SC2016
  nohup "${detach[@]}" bash -c '
    if [ -d /proc/$$/fd ]; then
      for fd in $(ls /proc/$$/fd); do
        [ "$fd" -gt 2 ] && eval "exec $fd>&-"
      done 2>/dev/null
    fi
    echo $$ >"$1"; shift; exec "$@"' _ "$PIDFILE" \
    java -Xmx"$HEAP" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_CONF" \
    -Dkafka.logs.dir="$LOGS" \
    -cp "$LIBS/*" kafka.Kafka "$SERVER_PROPS" \
    </dev/null >>"$OUTFILE" 2>&1 9>&- &

  for _ in $(seq 1 50); do
    [[ -s "$PIDFILE" ]] && break
    sleep 0.1
  done
  pid="$(tr -dc '0-9' <"$PIDFILE" 2>/dev/null || true)"
  if [[ -z "$pid" ]]; then
    err "could not start the broker"
    show_log_tail
    exit 1
  fi
  say "starting broker (pid $pid, heap $HEAP, state $STATE)..."
  wait_ready "$pid"
  say "ready on $BOOTSTRAP ($((SECONDS - t0)) s)"
}

write_configs_if_missing() {
  [[ -f "$CLIENT_PROPS" ]] || write_configs
}

cmd_stop() {
  take_lock
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PIDFILE"
    say "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    err "broker $pid did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
  fi
  rm -f "$PIDFILE"
  say "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(our_pid)"; then
    if port_open "$PORT"; then
      say "running (pid $pid) on $BOOTSTRAP"
      return 0
    fi
    say "starting or unhealthy (pid $pid alive, $BOOTSTRAP not answering)"
    return 1
  fi
  if port_open "$PORT"; then
    say "not running from $STATE (but something else answers on $BOOTSTRAP)"
  else
    say "not running"
  fi
  return 1
}

cmd_reset() {
  cmd_stop
  rm -rf "$DATA" "$LOGS" "$CLUSTER_ID_FILE" "$SERVER_PROPS" "$CLIENT_PROPS" "$OUTFILE"
  say "data deleted from $STATE (jars kept)"
}

usage() {
  echo "usage: $(basename "$0") start|stop|status|reset" >&2
  exit 2
}

[[ $# -eq 1 ]] || usage
case "$1" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
reset) cmd_reset ;;
-h | --help | help) sed -n '2,39p' "$0" | sed 's/^# \{0,1\}//' ;;
*) usage ;;
esac
