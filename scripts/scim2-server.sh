#!/usr/bin/env bash
# Runs a command against a local scim2-server (PyPI), the third-party SCIM 2.0 peer the SCIM
# interop tests use.
#
#   scripts/scim2-server.sh cargo test --test scim2_server
#   scripts/scim2-server.sh                 # just serve; prints the exports; ctrl-c stops
#
# It creates the virtualenv on first use, starts the server on a free 127.0.0.1 port with a
# random bearer token, waits until it answers, exports
#   SSODESK_SCIM2_URL    e.g. http://127.0.0.1:41234/v2
#   SSODESK_SCIM2_TOKEN  the bearer token
#   SSODESK_REQUIRE_SCIM2=1 (so the tests fail rather than skip if something is off)
# runs the command, and stops the server when the command ends.
#
# Settings: SSODESK_SCIM2_VENV (default: <repo>/.venv-scim), SCIM2_SERVER_SPEC (default:
# scim2-server==0.8.3, the version checked in shared/reference/stack.md).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${SSODESK_SCIM2_VENV:-$repo/.venv-scim}"
spec="${SCIM2_SERVER_SPEC:-scim2-server==0.8.3}"

if [ ! -x "$venv/bin/scim2-server" ]; then
    echo "scim2-server.sh: installing $spec into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$spec"
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
token="ssodesk-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
log="$(mktemp "${TMPDIR:-/tmp}/scim2-server.XXXXXX.log")"

"$venv/bin/scim2-server" --hostname 127.0.0.1 --port "$port" --bearer-token "$token" >"$log" 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -f "$log"
}
trap cleanup EXIT INT TERM

url="http://127.0.0.1:$port/v2"
# Python, not curl: the only tools CI can count on are the Rust toolchain and python3.
answers() {
    python3 - "$url" "$token" <<'PY' 2>/dev/null
import sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/ServiceProviderConfig",
                             headers={"Authorization": "Bearer " + sys.argv[2]})
urllib.request.urlopen(req, timeout=2)
PY
}
for _ in $(seq 1 100); do
    if answers; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        echo "scim2-server.sh: the server exited:" >&2
        cat "$log" >&2
        exit 2
    fi
    sleep 0.1
done
answers || {
    echo "scim2-server.sh: the server did not answer on $url" >&2
    cat "$log" >&2
    exit 2
}

export SSODESK_SCIM2_URL="$url"
export SSODESK_SCIM2_TOKEN="$token"
export SSODESK_REQUIRE_SCIM2=1

if [ "$#" -gt 0 ]; then
    "$@"
else
    echo "export SSODESK_SCIM2_URL=$url"
    echo "export SSODESK_SCIM2_TOKEN=$token"
    echo "scim2-server serving on $url (ctrl-c stops)"
    wait "$server"
fi
