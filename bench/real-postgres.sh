#!/usr/bin/env bash
# A real PostgreSQL 15 server with pgvector on loopback, for `bench/postgres.ts` and
# `bench/equivalence.ts` only (tests keep PGlite; nothing here is a project dependency).
# Nothing is installed into the system: Debian's packages are unpacked into $DIR/root and
# pgvector is built from source into that tree. See BENCHMARKS.md, "The postgres engine on a
# real server".
#
#   bench/real-postgres.sh [start]   download, unpack, build pgvector, initdb, start (each step skipped if done)
#   bench/real-postgres.sh stop      stop the server (the data directory stays in $DIR/data)
#   bench/real-postgres.sh url       print the BENCH_DATABASE_URL to use
#
# Settings (environment): REALPG_DIR (default /tmp/realpg), REALPG_PORT (55432),
# PGVECTOR_SRC: a pgvector source tree, or a bare git directory from which PGVECTOR_TAG
# (v0.8.0) is exported; without it, the tag is cloned from GitHub.
# Needs apt-get (Debian 12: PostgreSQL 15), gcc and make. As root, the server runs as the user
# `pgbench` (created if missing): PostgreSQL refuses to run as root.
set -euo pipefail

DIR=${REALPG_DIR:-/tmp/realpg}
PORT=${REALPG_PORT:-55432}
PG_MAJOR=15
TAG=${PGVECTOR_TAG:-v0.8.0}
ROOT=$DIR/root
BIN=$ROOT/usr/lib/postgresql/$PG_MAJOR/bin
DATA=$DIR/data
RUN=$DIR/run
URL="postgres://postgres@127.0.0.1:$PORT/bench"

as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u pgbench -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  stop) as_server "$BIN/pg_ctl" -D "$DATA" -m fast stop; exit 0 ;;
  url) echo "$URL"; exit 0 ;;
  start) ;;
  *) echo "usage: $0 [start|stop|url]" >&2; exit 2 ;;
esac

mkdir -p "$DIR/debs" "$ROOT"
chmod 755 "$DIR"

# 1. Debian's PostgreSQL, unpacked (not installed). The binaries find their share and lib
#    directories relative to their own location, so the unpacked tree runs where it is.
if [ ! -x "$BIN/postgres" ]; then
  (cd "$DIR/debs" && apt-get download "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR" libpq5 \
    "postgresql-server-dev-$PG_MAJOR")
  for deb in "$DIR"/debs/*.deb; do dpkg -x "$deb" "$ROOT"; done
fi
missing=$(LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu ldd "$BIN/postgres" "$BIN/initdb" | grep 'not found' || true)
if [ -n "$missing" ]; then
  echo "libraries missing (apt-get download the packages that hold them into $DIR/debs, then dpkg -x them into $ROOT):" >&2
  echo "$missing" >&2
  exit 1
fi
export LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu

# 2. pgvector, built against the unpacked tree and installed into it (pg_config answers with
#    the tree's own include, lib and share directories). with_llvm=no: no clang needed (the
#    JIT bitcode is optional). The default OPTFLAGS (-march=native) is kept: a benchmark build.
if [ ! -f "$ROOT/usr/lib/postgresql/$PG_MAJOR/lib/vector.so" ]; then
  src=$DIR/pgvector
  rm -rf "$src" && mkdir -p "$src"
  if [ -n "${PGVECTOR_SRC:-}" ] && [ -f "$PGVECTOR_SRC/Makefile" ]; then
    cp -r "$PGVECTOR_SRC"/. "$src"
  elif [ -n "${PGVECTOR_SRC:-}" ]; then
    git -C "$PGVECTOR_SRC" archive "$TAG" | tar -x -C "$src"
  else
    git clone --depth 1 --branch "$TAG" https://github.com/pgvector/pgvector.git "$src"
  fi
  make -C "$src" -j"$(nproc)" PG_CONFIG="$BIN/pg_config" with_llvm=no
  make -C "$src" install PG_CONFIG="$BIN/pg_config" with_llvm=no
fi

# 3. A cluster owned by an unprivileged user, listening on 127.0.0.1 only, trust auth (loopback,
#    a throwaway benchmark database: bench/postgres.ts empties it).
if [ "$(id -u)" = 0 ] && ! id pgbench >/dev/null 2>&1; then useradd -m pgbench; fi
if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA" "$RUN"
  [ "$(id -u)" = 0 ] && chown pgbench "$DATA" "$RUN"
  as_server "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8
  cat >>"$DATA/postgresql.conf" <<EOF
# bench/real-postgres.sh: a 2-core, 23 GB machine shared with other work.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN'
shared_buffers = 2GB
maintenance_work_mem = 2GB
max_parallel_maintenance_workers = 1
effective_cache_size = 12GB
work_mem = 64MB
# fsync, synchronous_commit, autovacuum, JIT: PostgreSQL's defaults (on).
EOF
fi
if ! as_server "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_server "$BIN/pg_ctl" -D "$DATA" -l "$RUN/postgres.log" -w start
fi
psql() { "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ -z "$(psql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'bench'")" ]; then
  psql -d postgres -c 'CREATE DATABASE bench'
fi
psql -d bench -c 'CREATE EXTENSION IF NOT EXISTS vector'
echo "PostgreSQL $(psql -d bench -c 'SHOW server_version') with pgvector $(psql -d bench -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'") on 127.0.0.1:$PORT" >&2
echo "BENCH_DATABASE_URL=$URL"
