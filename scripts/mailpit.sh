#!/usr/bin/env bash
# Makes sure .data/bin/mailpit is Mailpit at MAILPIT_VERSION (pinned in the Makefile), building it
# from source with `go install` when it is missing or another version. Never downloads a prebuilt
# binary. Prints the binary's path on stdout; progress goes to stderr.
#
#   MAILPIT_VERSION=v1.27.11 scripts/mailpit.sh
#
# Mailpit is the SMTP server `make run` and the notification tests send to; it keeps what it
# receives and serves it over its HTTP API (GET /api/v1/messages). Its web pages are not part of
# the Go module (the page loads, its script is a 404): read mail through the API or
# `exitflow notifications list`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO=${GO:-go}
VERSION=${MAILPIT_VERSION:?set MAILPIT_VERSION (the Makefile pins it)}
BIN_DIR=$ROOT/.data/bin
MAILPIT=$BIN_DIR/mailpit
LOG=$ROOT/.data/logs/mailpit-build.log

# installed_version prints the Mailpit module version the binary was built from (recorded by Go).
installed_version() {
	[[ -x $MAILPIT ]] || return 0
	"$GO" version -m "$MAILPIT" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/axllent/mailpit" { print $3 }'
}

mkdir -p "$BIN_DIR" "$(dirname "$LOG")"
# One build at a time per tree (`make run` next to a test run that needs Mailpit).
exec 9>"$BIN_DIR/.mailpit-install.lock"
flock 9

have=$(installed_version)
if [[ $have != "$VERSION" ]]; then
	if [[ -n $have ]]; then
		echo "Mailpit at $MAILPIT is ${have}; rebuilding ${VERSION}" >&2
	fi
	echo "building Mailpit ${VERSION} from source into .data/bin: under a minute with a warm module cache, a few minutes without (log: .data/logs/mailpit-build.log)" >&2
	start=$(date +%s)
	# go install pkg@version ignores the current module: Mailpit keeps its own dependency graph,
	# out of exitflow's go.mod.
	rc=0
	(cd "$ROOT" && GOBIN=$BIN_DIR "$GO" install "github.com/axllent/mailpit@${VERSION}") 9>&- >"$LOG" 2>&1 || rc=$?
	if ((rc != 0)); then
		echo "building Mailpit failed; last lines of $LOG:" >&2
		tail -n 20 "$LOG" >&2
		exit 1
	fi
	have=$(installed_version)
	if [[ $have != "$VERSION" ]]; then
		echo "built $MAILPIT but it reports version '${have}', not ${VERSION}" >&2
		exit 1
	fi
	echo "built Mailpit ${VERSION} in $(($(date +%s) - start)) s" >&2
fi
echo "$MAILPIT"
