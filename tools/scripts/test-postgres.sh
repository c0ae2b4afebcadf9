#!/usr/bin/env bash
# A throwaway PostgreSQL server on the loopback interface, for the sweep queue's tests.
#   eval "$(tools/scripts/test-postgres.sh start DIR [PORT])"   exports WEIGHTSPACE_TEST_POSTGRES
#   tools/scripts/test-postgres.sh stop DIR
# The cluster lives in DIR (created empty); trust authentication, loopback only, nothing kept.
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?a directory for the cluster}
port=${3:-54329}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -x "${bindir:-}/initdb" ] || bindir=$(dirname "$(command -v initdb || echo /nonexistent/initdb)")
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    [ -x "$bindir/initdb" ] || { echo "test-postgres: no initdb (install postgresql-15)" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres > "$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" -w start > /dev/null \
      || { cat "$dir/data/server.log" >&2; exit 1; }
    echo "export WEIGHTSPACE_TEST_POSTGRES=postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop > /dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "test-postgres: start or stop, not $action" >&2
    exit 2
    ;;
esac
