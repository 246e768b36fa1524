# Shared by ./run, ./test and .ci/run: finding the tools Switchboard needs.
# shellcheck shell=bash

SWITCHBOARD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The major version of the java binary $1, or 0.
java_major() {
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)
  case "$v" in 1.*) v=${v#1.}; v=${v%%.*} ;; esac
  [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}

# Sets JAVA_HOME to a JDK 21 or newer: JAVA_HOME if it is one, else java on PATH, else the newest
# JDK in the usual folders. Says what it found and what is missing.
find_jdk() {
  local candidates=() c best="" best_major=0 seen=""
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for c in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/*jdk*/bin/java "$HOME"/.sdkman/candidates/java/*/bin/java; do
    [ -x "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] && [ -x "$(dirname "$c")/javac" ] || continue
    local m; m=$(java_major "$c")
    seen="$seen ${m}:$(dirname "$(dirname "$c")")"
    if [ "$m" -ge 21 ] && [ "$m" -gt "$best_major" ]; then best=$c; best_major=$m; fi
    # the one the user chose comes first when it is new enough
    if [ -n "${JAVA_HOME:-}" ] && [ "$c" = "$JAVA_HOME/bin/java" ] && [ "$m" -ge 21 ]; then best=$c; best_major=$m; break; fi
  done
  if [ -z "$best" ]; then
    die "Switchboard needs a JDK 21 or newer (Payara Micro 7 runs on Java 21+). Found:${seen:- no JDK}.
       Install one (for example Temurin 21 or 25, or Debian's openjdk-21-jdk) or point JAVA_HOME at it."
  fi
  JAVA_HOME=$(dirname "$(dirname "$best")")
  export JAVA_HOME
  # Maven's own libraries still use sun.misc.Unsafe: keep JDK 24+ from warning about it at every build
  if [ "$best_major" -ge 24 ]; then export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"; fi
  export PATH="$JAVA_HOME/bin:$PATH"
}

# Node.js 18 or newer, for PouchDB Server.
require_node() {
  command -v node >/dev/null 2>&1 || die "Node.js 18 or newer is needed for PouchDB Server (the local CouchDB API). Install node and npm."
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] || die "Node.js 18 or newer is needed; this is $(node --version)."
}

# PouchDB Server, installed into tools/pouchdb-server from its lock file on first use.
POUCHDB_BIN="$SWITCHBOARD_ROOT/tools/pouchdb-server/node_modules/.bin/pouchdb-server"
ensure_pouchdb() {
  local dir="$SWITCHBOARD_ROOT/tools/pouchdb-server" stamp="$SWITCHBOARD_ROOT/tools/pouchdb-server/node_modules/.installed"
  if [ -x "$POUCHDB_BIN" ] && [ -f "$stamp" ] && [ "$stamp" -nt "$dir/package-lock.json" ]; then return; fi
  require_node
  say "Installing PouchDB Server into tools/pouchdb-server (first use only)..."
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed in tools/pouchdb-server"
  touch "$stamp"
}

# Is something listening on 127.0.0.1:$1?
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The temp folders Payara Micro leaves behind (payaramicro-rt*, arquillian-payara-micro*).
payara_temp_dirs() {
  find "${TMPDIR:-/tmp}" -maxdepth 1 \( -name 'payaramicro-rt*' -o -name 'arquillian-payara-micro*' \) 2>/dev/null | sort
}
