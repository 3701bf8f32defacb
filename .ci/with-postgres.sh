#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server, e.g. `.ci/with-postgres.sh make test`.
#
# Installs the Debian package `postgresql` when no server binaries are found (as root), creates
# a cluster in a temporary directory, starts it on a free port of 127.0.0.1 with trust
# authentication, creates the database `tracker`, exports DATABASE_URL and runs the command.
# The server and its directory are removed when the command ends, whatever its outcome.
set -euo pipefail

find_bindir() {
    # The newest installed version, e.g. /usr/lib/postgresql/15/bin; nothing when none is.
    local dir newest=""
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/initdb" ]] || continue
        newest="$(printf '%s\n%s\n' "$newest" "$dir" | sort -V | tail -n 1)"
    done
    echo "$newest"
}

bindir="$(find_bindir)"
if [[ -z "$bindir" ]]; then
    if [[ "$(id -u)" != 0 ]]; then
        echo "PostgreSQL is not installed: run 'sudo apt-get install postgresql' first." >&2
        exit 1
    fi
    echo "Installing PostgreSQL (Debian package postgresql)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir="$(find_bindir)"
fi

# PostgreSQL refuses to run as root; root runs it as the `postgres` user the package created.
if [[ "$(id -u)" == 0 ]]; then
    as_server=(runuser -u postgres --)
else
    as_server=()
fi

workdir="$(mktemp -d -t tracker-postgres.XXXXXX)"
chmod 755 "$workdir"
if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$workdir"
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop() {
    (cd "$workdir" && "${as_server[@]}" "$bindir/pg_ctl" -D data -m immediate stop) \
        >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap stop EXIT

# The server's user may not be allowed into the caller's directory (e.g. /root): start from ours.
here="$PWD"
cd "$workdir"

"${as_server[@]}" "$bindir/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 >/dev/null
# A throwaway server for tests: durability is traded for speed (no fsync).
"${as_server[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w start -o \
    "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || { cat "$workdir/server.log" >&2; exit 1; }
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres tracker
cd "$here"

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/tracker"
echo "$("$bindir/postgres" --version) at $DATABASE_URL"
"$@"
