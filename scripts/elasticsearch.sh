#!/usr/bin/env bash
# Local single-node Elasticsearch 8.x for Tousu Radar tests and development.
#
#   scripts/elasticsearch.sh start    # idempotent; last stdout line is the URL
#   scripts/elasticsearch.sh stop     # idempotent
#   scripts/elasticsearch.sh status   # exit 0 if running and answering HTTP
#   scripts/elasticsearch.sh restart  # stop + start
#   scripts/elasticsearch.sh url      # print the URL only
#
# Typical test use:  export TOUSU_ES_URL="$(scripts/elasticsearch.sh start | tail -n1)"
#
# Where it comes from: Elastic's own distribution published on Maven Central as
#   org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip
# (the "integ-test" archive: server + transport-netty4 (HTTP) + x-pack-core +
# x-pack-security + apm, no bundled JDK). It is fetched with `mvn dependency:get`
# into the local Maven repository (~/.m2), which is the artifact cache, and
# unpacked once into $TOUSU_ES_CACHE. Nothing is downloaded from elastic.co.
#
# That archive lacks the rest-root, analysis-common, reindex, lang-painless, ... modules.
# scripts/es/TousuDevPlugin.java is a small module compiled here with javac (cached in the
# unpacked distribution as modules/tousu-dev) that adds back what clients and tests need
# most: GET|HEAD / (Python client info()/ping()), the whitespace/keyword tokenizers for
# custom analyzers, and a simple synchronous POST /{index}/_delete_by_query.
#
# Everything the node writes (config, data, logs, pid files, tmp) lives in
# <repo>/.es/ (git-ignored). Security is disabled: plain http on 127.0.0.1.
#
# Elasticsearch refuses to run as root. When started as root, the node runs
# inside an unprivileged user namespace (`unshare --user --map-user=1000`):
# there its uid is 1000, but files it creates are owned by root outside, so
# .es/ and the caches need no chown. If user namespaces are unavailable it
# falls back to `setpriv` as nobody (the dirs are then chowned to nobody).
#
# Environment (all optional):
#   TOUSU_ES_PORT      http port                     (default 9200)
#   TOUSU_ES_VERSION   Elasticsearch version         (default 8.19.21)
#   TOUSU_ES_CACHE     unpacked distribution cache   (default $HOME/.cache/tousu-es)
#   TOUSU_ES_TIMEOUT   seconds to wait for health    (default 180)
#   TOUSU_ES_DIR       state dir                     (default <repo>/.es)
#   ES_JAVA_OPTS       JVM options; "-Xms2g -Xmx2g" is prepended unless it sets the heap
#                      (2 GB: bulk indexing of 1M posts; its indexing buffer is 10% of the heap)
#   ES_JAVA_HOME / JAVA_HOME   JDK to use (default: the `java` on PATH; needs 17+)
#   MAVEN_CMD          maven executable              (default mvn)
#   TOUSU_M2_REPO      local Maven repository        (default ~/.m2/repository, else asks mvn)
#   TOUSU_ES_ROOT_MODE when root: auto | unshare | setpriv   (default auto)
#   TOUSU_ES_MAVEN_REPO_URL  used only if mvn is missing (default Maven Central)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"

ES_VERSION="${TOUSU_ES_VERSION:-8.19.21}"
PORT="${TOUSU_ES_PORT:-9200}"
HOST="127.0.0.1"
URL="http://$HOST:$PORT"
TIMEOUT="${TOUSU_ES_TIMEOUT:-180}"
STATE_DIR="${TOUSU_ES_DIR:-$REPO_ROOT/.es}"
CACHE_DIR="${TOUSU_ES_CACHE:-${HOME:-/root}/.cache/tousu-es}"
ES_HOME_DIR="$CACHE_DIR/elasticsearch-$ES_VERSION"
MVN="${MAVEN_CMD:-mvn}"
GAV="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"

CONF_DIR="$STATE_DIR/config"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
RUN_DIR="$STATE_DIR/run"
TMP_DIR="$STATE_DIR/tmp"
PID_FILE="$RUN_DIR/elasticsearch.pid"      # the Elasticsearch server JVM (written by ES: -p)
LAUNCH_PID_FILE="$RUN_DIR/launcher.pid"    # session leader / process group of the launcher
CONSOLE_LOG="$LOG_DIR/console.log"
CLUSTER_NAME="tousu-dev"
MAIN_LOG="$LOG_DIR/$CLUSTER_NAME.log"

log() { printf '[elasticsearch.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- helpers
pid_alive() {  # pid_alive PID -> true if the process exists and looks like our java/launcher
  local pid="$1"
  [[ -n "$pid" && "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: must be a process of this state dir / ES home
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -e 'elasticsearch' -e 'unshare' -e 'setpriv'
}
read_pid() { [[ -f "$1" ]] && tr -dc '0-9' <"$1" || true; }

http_ok() {  # the node answers on our port (GET / needs the tousu-dev module, so ask health)
  curl -fsS -m 3 -o /dev/null "$URL/_cluster/health?timeout=1s" 2>/dev/null
}
health_status() {
  curl -fsS -m 5 "$URL/_cluster/health?timeout=2s" 2>/dev/null |
    sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'
}
port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
}
our_node_running() {  # launcher alive (server may still be starting)
  local lp sp
  lp="$(read_pid "$LAUNCH_PID_FILE")"; sp="$(read_pid "$PID_FILE")"
  pid_alive "$lp" || pid_alive "$sp"
}

find_java_home() {
  local jh="${ES_JAVA_HOME:-${JAVA_HOME:-}}"
  if [[ -z "$jh" ]]; then
    local j; j="$(command -v java || true)"
    [[ -n "$j" ]] || die "java not found (need JDK 17+); set ES_JAVA_HOME"
    j="$(readlink -f "$j")"
    jh="$(dirname "$(dirname "$j")")"
  fi
  [[ -x "$jh/bin/java" ]] || die "no java at $jh/bin/java"
  printf '%s\n' "$jh"
}

m2_repo() {  # the local Maven repository (asks mvn only if the default path lacks the zip)
  local rel="$1" r=""
  if [[ -n "${TOUSU_M2_REPO:-}" ]]; then printf '%s\n' "$TOUSU_M2_REPO"; return; fi
  r="${HOME:-/root}/.m2/repository"
  if [[ ! -s "$r/$rel" ]] && command -v "$MVN" >/dev/null 2>&1; then
    local q
    q="$("$MVN" -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null | tail -n1 || true)"
    [[ -n "$q" && "$q" == /* ]] && r="$q"
  fi
  printf '%s\n' "$r"
}

# ------------------------------------------------------- distribution
ensure_distribution() {
  if [[ -f "$ES_HOME_DIR/.tousu-ready" ]]; then return 0; fi
  mkdir -p "$CACHE_DIR"
  local repo zip rel
  rel="org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
  repo="${TOUSU_M2_REPO:-${HOME:-/root}/.m2/repository}"
  zip="$repo/$rel"
  if [[ ! -s "$zip" ]]; then
    log "downloading $GAV (~100 MB) from Maven Central into the local Maven repository (first run only) ..."
    if command -v "$MVN" >/dev/null 2>&1; then
      # -B: no colours/progress bars; maven output goes to stderr so stdout stays clean
      "$MVN" -B -ntp dependency:get -Dartifact="$GAV" -Dtransitive=false >&2 ||
        die "mvn dependency:get $GAV failed"
      repo="$(m2_repo "$rel")"; zip="$repo/$rel"
    else
      local base="${TOUSU_ES_MAVEN_REPO_URL:-https://repo.maven.apache.org/maven2}"
      mkdir -p "$(dirname "$zip")"
      curl -fL --retry 3 -o "$zip.part" "$base/$rel" && mv "$zip.part" "$zip" || die "download of $base/$rel failed"
      curl -fsSL -o "$zip.sha1" "$base/$rel.sha1" || true
    fi
    [[ -s "$zip" ]] || die "expected $zip after download"
  fi
  if [[ -s "$zip.sha1" ]] && command -v sha1sum >/dev/null; then
    local want got
    want="$(tr -dc '0-9a-f' <"$zip.sha1" | cut -c1-40)"
    got="$(sha1sum "$zip" | cut -d' ' -f1)"
    [[ -z "$want" || "$want" == "$got" ]] || die "sha1 mismatch for $zip (delete it and retry)"
  fi
  log "unpacking $zip -> $ES_HOME_DIR ..."
  local tmp; tmp="$(mktemp -d "$CACHE_DIR/.unpack.XXXXXX")"
  if command -v unzip >/dev/null; then
    unzip -q "$zip" -d "$tmp"
  else
    (cd "$tmp" && "$(find_java_home)/bin/jar" xf "$zip")
    chmod +x "$tmp/elasticsearch-$ES_VERSION/bin/"*
  fi
  [[ -d "$tmp/elasticsearch-$ES_VERSION/lib" ]] || die "unexpected archive layout in $zip"
  rm -rf "$ES_HOME_DIR"
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME_DIR"
  rm -rf "$tmp"
  chmod -R a+rX "$ES_HOME_DIR"
  touch "$ES_HOME_DIR/.tousu-ready"
}

# ------------------------------------------------- dev module (scripts/es)
# Compiles scripts/es/TousuDevPlugin.java against the distribution and installs it as the
# module "tousu-dev" (GET|HEAD / and the whitespace/keyword tokenizers). Cached: rebuilt only
# when the source or the ES version changes.
ensure_dev_module() {
  local src="$SCRIPT_DIR/es/TousuDevPlugin.java" mod="$ES_HOME_DIR/modules/tousu-dev" java_home sum
  [[ -f "$src" ]] || die "missing $src"
  sum="$(sha256sum <"$src" | cut -c1-64)-$ES_VERSION"
  if [[ -f "$mod/.src-sha256" && "$(cat "$mod/.src-sha256")" == "$sum" ]]; then return 0; fi
  java_home="$(find_java_home)"
  [[ -x "$java_home/bin/javac" && -x "$java_home/bin/jar" ]] ||
    die "javac/jar not found in $java_home (a full JDK 17+ is needed to build scripts/es/TousuDevPlugin.java)"
  log "compiling scripts/es/TousuDevPlugin.java -> module tousu-dev ..."
  local tmp; tmp="$(mktemp -d "$CACHE_DIR/.module.XXXXXX")"
  mkdir -p "$tmp/classes" "$tmp/tousu-dev"
  "$java_home/bin/javac" --release 17 -proc:none -nowarn -cp "$ES_HOME_DIR/lib/*" \
    -d "$tmp/classes" "$src" >&2 || { rm -rf "$tmp"; die "javac failed for $src"; }
  "$java_home/bin/jar" cf "$tmp/tousu-dev/tousu-dev-$ES_VERSION.jar" -C "$tmp/classes" .
  cat >"$tmp/tousu-dev/plugin-descriptor.properties" <<DESC
description=Tousu Radar dev helpers: GET /, whitespace/keyword tokenizers, _delete_by_query (scripts/es)
version=$ES_VERSION
name=tousu-dev
classname=org.tousu.es.TousuDevPlugin
java.version=17
elasticsearch.version=$ES_VERSION
DESC
  echo "$sum" >"$tmp/tousu-dev/.src-sha256"
  chmod -R a+rX "$tmp/tousu-dev"
  rm -rf "$mod"
  mv "$tmp/tousu-dev" "$mod"
  rm -rf "$tmp"
}

# -------------------------------------------------------------- config
write_config() {
  mkdir -p "$CONF_DIR/jvm.options.d" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR" "$TMP_DIR"
  # jvm.options: keep the distribution's, but send gc log / heap dumps / error files to .es/logs
  sed -e "s#file=gc.log#file=$LOG_DIR/gc.log#" \
      -e "s#file=logs/gc.log#file=$LOG_DIR/gc.log#" \
      -e "s#-XX:ErrorFile=.*#-XX:ErrorFile=$LOG_DIR/hs_err_pid%p.log#" \
      "$ES_HOME_DIR/config/jvm.options" >"$CONF_DIR/jvm.options"
  printf '%s\n' "-XX:HeapDumpPath=$LOG_DIR" >"$CONF_DIR/jvm.options.d/tousu.options"
  cp -f "$ES_HOME_DIR/config/log4j2.properties" "$CONF_DIR/log4j2.properties"
  local f
  for f in roles.yml role_mapping.yml users users_roles; do
    [[ -f "$ES_HOME_DIR/config/$f" && ! -f "$CONF_DIR/$f" ]] && cp "$ES_HOME_DIR/config/$f" "$CONF_DIR/$f"
  done
  local xpack=""
  if [[ -d "$ES_HOME_DIR/modules/x-pack-security" ]]; then
    xpack="xpack.security.enabled: false
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false"
  fi
  cat >"$CONF_DIR/elasticsearch.yml" <<EOF
# generated by scripts/elasticsearch.sh on every start; edit the script, not this file
cluster.name: $CLUSTER_NAME
node.name: $CLUSTER_NAME-node
path.data: $DATA_DIR
path.logs: $LOG_DIR
network.host: $HOST
http.port: $PORT
transport.port: 9300-9399
discovery.type: single-node
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
$xpack
EOF
}

# --------------------------------------------------- root workaround
# Prints the command prefix (one word per line) that makes the node run as non-root.
run_prefix() {
  [[ "$(id -u)" == "0" ]] || return 0
  local mode="${TOUSU_ES_ROOT_MODE:-auto}"
  if [[ "$mode" == auto || "$mode" == unshare ]]; then
    if command -v unshare >/dev/null &&
       [[ "$(unshare --user --map-user=1000 --map-group=1000 id -u 2>/dev/null)" == "1000" ]]; then
      printf '%s\n' unshare --user --map-user=1000 --map-group=1000
      return 0
    fi
    [[ "$mode" == unshare ]] && die "unshare --user does not work here"
  fi
  command -v setpriv >/dev/null || die "running as root and neither unshare --user nor setpriv is usable"
  # setpriv as nobody: the ES home and state dir must be readable/writable by nobody
  if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$ES_HOME_DIR/lib/elasticsearch-$ES_VERSION.jar"; then
    die "running as root without user namespaces and $ES_HOME_DIR is not readable by 'nobody'; set TOUSU_ES_CACHE to a world-readable dir"
  fi
  chown -R 65534:65534 "$STATE_DIR"
  setpriv --reuid=65534 --regid=65534 --clear-groups test -w "$STATE_DIR" ||
    die "$STATE_DIR is not reachable by 'nobody' (a parent dir is not world-searchable)"
  printf '%s\n' setpriv --reuid=65534 --regid=65534 --clear-groups --
}

# -------------------------------------------------------------- commands
MAIN_LOG_OFFSET=0   # bytes of the main log written before this start (not shown on failure)
print_failure() {
  if [[ -s "$MAIN_LOG" ]] && (( $(stat -c %s "$MAIN_LOG") > MAIN_LOG_OFFSET )); then
    log "---- last 50 lines of $MAIN_LOG (this start) ----"
    tail -c "+$((MAIN_LOG_OFFSET + 1))" "$MAIN_LOG" | tail -n 50 >&2
  fi
  if [[ -s "$CONSOLE_LOG" ]]; then
    log "---- last 50 lines of $CONSOLE_LOG ----"
    tail -n 50 "$CONSOLE_LOG" >&2
  fi
}

cmd_start() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  flock -w 600 9 || die "another start/stop holds $RUN_DIR/lock"

  if our_node_running; then
    if http_ok; then
      log "already running (pid $(read_pid "$PID_FILE"))"
      echo "$URL"; return 0
    fi
    log "a previous node is still starting; waiting for it"
  else
    rm -f "$PID_FILE" "$LAUNCH_PID_FILE"
    if port_in_use; then
      local who
      who="$(curl -fsS -m 3 "$URL/_cluster/health" 2>/dev/null | sed -n 's/.*"cluster_name":"\([^"]*\)".*/\1/p' || true)"
      if [[ -n "$who" ]]; then
        die "port $PORT is in use by an Elasticsearch node of cluster '$who' that was not started from $STATE_DIR (another checkout?); stop it there or set TOUSU_ES_PORT"
      fi
      die "port $PORT on $HOST is already in use by another process; set TOUSU_ES_PORT"
    fi
    ensure_distribution
    ensure_dev_module
    write_config
    local java_home prefix=() opts="${ES_JAVA_OPTS:-}"
    java_home="$(find_java_home)"
    [[ "$opts" == *-Xmx* || "$opts" == *-Xms* ]] || opts="-Xms2g -Xmx2g${opts:+ $opts}"
    mapfile -t prefix < <(run_prefix)
    : >"$CONSOLE_LOG"
    [[ -f "$MAIN_LOG" ]] && MAIN_LOG_OFFSET="$(stat -c %s "$MAIN_LOG")"
    log "starting Elasticsearch $ES_VERSION on $URL (data: $STATE_DIR, heap opts: $opts${prefix:+, via ${prefix[0]}})"
    (
      exec 9>&-   # do not let the node inherit the start/stop lock
      cd "$STATE_DIR"
      unset JAVA_HOME JAVA_TOOL_OPTIONS _JAVA_OPTIONS JAVA_OPTS
      export ES_JAVA_HOME="$java_home" ES_PATH_CONF="$CONF_DIR" ES_TMPDIR="$TMP_DIR" ES_JAVA_OPTS="$opts"
      exec setsid "${prefix[@]}" "$ES_HOME_DIR/bin/elasticsearch" -p "$PID_FILE" \
        >>"$CONSOLE_LOG" 2>&1 </dev/null
    ) &
    echo $! >"$LAUNCH_PID_FILE"
  fi

  local start=$SECONDS st="" last=-1
  while :; do
    st="$(health_status || true)"
    if [[ "$st" == green || "$st" == yellow ]]; then break; fi
    if ! our_node_running; then
      log "Elasticsearch exited during startup"
      print_failure; rm -f "$PID_FILE" "$LAUNCH_PID_FILE"; exit 1
    fi
    if (( SECONDS - start >= TIMEOUT )); then
      log "timed out after ${TIMEOUT}s waiting for cluster health (last status: ${st:-no answer})"
      print_failure; flock -u 9; cmd_stop >/dev/null 2>&1 || true; exit 1
    fi
    if (( (SECONDS - start) / 10 != last )); then
      last=$(( (SECONDS - start) / 10 ))
      log "waiting for $URL ... $((SECONDS - start))s (status: ${st:-no answer yet})"
    fi
    sleep 1
  done
  log "Elasticsearch $ES_VERSION is up (cluster health: $st, pid $(read_pid "$PID_FILE"), $((SECONDS - start))s)"
  echo "$URL"
}

cmd_stop() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  flock -w 300 9 || die "another start/stop holds $RUN_DIR/lock"
  local sp lp
  sp="$(read_pid "$PID_FILE")"; lp="$(read_pid "$LAUNCH_PID_FILE")"
  if ! pid_alive "$sp" && ! pid_alive "$lp"; then
    rm -f "$PID_FILE" "$LAUNCH_PID_FILE"
    log "not running"; echo "stopped"; return 0
  fi
  log "stopping Elasticsearch (pid ${sp:-?}, launcher ${lp:-?}) ..."
  if pid_alive "$sp"; then kill -TERM "$sp" 2>/dev/null || true
  elif pid_alive "$lp"; then kill -TERM -- "-$lp" 2>/dev/null || kill -TERM "$lp" 2>/dev/null || true
  fi
  local i
  for i in $(seq 1 60); do
    pid_alive "$sp" || pid_alive "$lp" || break
    sleep 1
  done
  if pid_alive "$sp" || pid_alive "$lp"; then
    log "still alive after 60s; sending SIGKILL"
    [[ -n "$lp" ]] && kill -KILL -- "-$lp" 2>/dev/null || true
    [[ -n "$sp" ]] && kill -KILL "$sp" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE" "$LAUNCH_PID_FILE"
  echo "stopped"
}

cmd_status() {
  if our_node_running; then
    if http_ok; then
      echo "running $URL (pid $(read_pid "$PID_FILE"), health: $(health_status || echo '?'))"
      return 0
    fi
    echo "starting $URL (launcher pid $(read_pid "$LAUNCH_PID_FILE"), not answering yet)"
    return 1
  fi
  echo "stopped $URL"
  return 1
}

case "${1:-}" in
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop >/dev/null; cmd_start ;;
  url)    echo "$URL" ;;
  *) echo "usage: $0 start|stop|status|restart|url" >&2; exit 2 ;;
esac
