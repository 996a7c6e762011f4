#!/usr/bin/env bash
# Makes sure .data/bin/temporal is the Temporal CLI at TEMPORAL_CLI_VERSION (pinned in the Makefile),
# building it from source with `go install` when it is missing or another version. Never downloads
# a prebuilt binary. Prints the binary's path on stdout; progress goes to stderr.
#
#   TEMPORAL_CLI_VERSION=v1.5.1 scripts/temporal-cli.sh
#
# While it builds, a line with the elapsed time goes to stderr every TEMPORAL_BUILD_PROGRESS_SECONDS
# (30; tests make it short), so a first `make run` never sits silent for minutes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO=${GO:-go}
VERSION=${TEMPORAL_CLI_VERSION:?set TEMPORAL_CLI_VERSION (the Makefile pins it)}
BIN_DIR=$ROOT/.data/bin
TEMPORAL=$BIN_DIR/temporal
LOG=$ROOT/.data/logs/temporal-build.log
PROGRESS_SECONDS=${TEMPORAL_BUILD_PROGRESS_SECONDS:-30}
[[ $PROGRESS_SECONDS =~ ^[1-9][0-9]*$ ]] || {
	echo "TEMPORAL_BUILD_PROGRESS_SECONDS=$PROGRESS_SECONDS: want a whole number of seconds > 0" >&2
	exit 1
}

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

# elapsed SECONDS: "45 s", "2 min 30 s".
elapsed() {
	if (($1 < 60)); then
		echo "$1 s"
	else
		echo "$(($1 / 60)) min $(($1 % 60)) s"
	fi
}

# progress START: prints the elapsed build time every PROGRESS_SECONDS until it gets SIGTERM. The
# sleep is waited for (wait returns at once on a trapped signal) and killed with it, so no stray
# sleep keeps stderr or the lock open after the script ends.
progress() {
	local start=$1 s=""
	trap '[[ -n $s ]] && kill "$s" 2>/dev/null; exit 0' TERM
	while :; do
		sleep "$PROGRESS_SECONDS" &
		s=$!
		wait "$s"
		echo "still building the Temporal CLI: $(elapsed $(($(date +%s) - start))) elapsed (usually 3-9 minutes)"
	done
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
	echo "building Temporal CLI ${VERSION} from source into .data/bin: about 3 minutes on a quiet machine, up to 9 on a busy 2-core one (log: .data/logs/temporal-build.log)" >&2
	start=$(date +%s)
	# In the background, so that go install stays in the foreground and gets Ctrl-C; stdout to
	# stderr (stdout is the path, read by $(...)), without the lock's fd.
	progress "$start" >&2 9>&- &
	ticker=$!
	trap 'kill "$ticker" 2>/dev/null || true' EXIT
	# go install pkg@version ignores the current module: the CLI keeps its own dependency graph
	# (adding it to exitflow's go.mod breaks its build, see NOTES).
	rc=0
	(cd "$ROOT" && GOBIN=$BIN_DIR "$GO" install "github.com/temporalio/cli/cmd/temporal@${VERSION}") >"$LOG" 2>&1 || rc=$?
	kill "$ticker" 2>/dev/null || true
	wait "$ticker" 2>/dev/null || true
	if ((rc != 0)); then
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
