#!/usr/bin/env bash
# Makes sure .data/bin/temporal is the Temporal CLI at TEMPORAL_CLI_VERSION (pinned in the Makefile),
# building it from source with `go install` when it is missing or another version. Never downloads
# a prebuilt binary. Prints the binary's path on stdout; progress goes to stderr.
#
#   TEMPORAL_CLI_VERSION=v1.5.1 scripts/temporal-cli.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO=${GO:-go}
VERSION=${TEMPORAL_CLI_VERSION:?set TEMPORAL_CLI_VERSION (the Makefile pins it)}
BIN_DIR=$ROOT/.data/bin
TEMPORAL=$BIN_DIR/temporal
LOG=$ROOT/.data/logs/temporal-build.log

# installed_version prints the CLI module version the binary was built from. `temporal --version`
# says 0.0.0-DEV for a `go install` build, so the module version Go recorded in it is read instead;
# a release binary's `--version` is accepted too.
installed_version() {
	[[ -x $TEMPORAL ]] || return 0
	local v
	v=$("$GO" version -m "$TEMPORAL" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/temporalio/cli" { print $3 }')
	if [[ -z $v ]]; then
		v=$("$TEMPORAL" --version 2>/dev/null | awk '{ print "v" $3 }')
	fi
	echo "$v"
}

mkdir -p "$BIN_DIR" "$(dirname "$LOG")"
# One build at a time per tree (two `make run`s, or `make run` next to `make temporal-cli`).
exec 9>"$BIN_DIR/.temporal-install.lock"
flock 9

have=$(installed_version)
if [[ $have != "$VERSION" ]]; then
	if [[ -n $have ]]; then
		echo "Temporal CLI at $TEMPORAL is ${have}; rebuilding ${VERSION}" >&2
	fi
	echo "building Temporal CLI ${VERSION} from source into .data/bin (about 3 minutes the first time; log: .data/logs/temporal-build.log)" >&2
	start=$(date +%s)
	# go install pkg@version ignores the current module: the CLI keeps its own dependency graph
	# (adding it to exitflow's go.mod breaks its build, see NOTES).
	if ! (cd "$ROOT" && GOBIN=$BIN_DIR "$GO" install "github.com/temporalio/cli/cmd/temporal@${VERSION}") >"$LOG" 2>&1; then
		echo "building the Temporal CLI failed; last lines of $LOG:" >&2
		tail -n 20 "$LOG" >&2
		exit 1
	fi
	have=$(installed_version)
	if [[ $have != "$VERSION" ]]; then
		echo "built $TEMPORAL but it reports version '${have}', not ${VERSION}" >&2
		exit 1
	fi
	echo "built Temporal CLI ${VERSION} in $(($(date +%s) - start)) s" >&2
fi
echo "$TEMPORAL"
