#!/usr/bin/env bash
# `make run`: brings up a local exitflow stack with a demo CoC, then waits; Ctrl-C (SIGINT) or
# SIGTERM stops everything this script started, and nothing else.
#
#   1. builds bin/exitflow;
#   2. PostgreSQL: uses the one at the configured database URL (EXITFLOW_DATABASE_URL, exitflow.yaml
#      or the default postgres://postgres@127.0.0.1:5432/exitflow) if it answers; otherwise starts a
#      private cluster under .data/pg (port 5433 or the next free one) and points
#      EXITFLOW_DATABASE_URL at it for the rest of the run;
#   3. bin/exitflow migrate (creates the database if missing);
#   4. Temporal: builds the pinned CLI into .data/bin if needed (scripts/temporal-cli.sh) and starts
#      its dev server on 127.0.0.1:7233, Web UI on :8233, state persisted in .data/temporal.db,
#      exitflow's search attributes pre-registered; an already running Temporal is used instead;
#   4b. Mailpit (the SMTP server notifications go to): builds the pinned one into .data/bin if needed
#      (scripts/mailpit.sh) and starts it with SMTP on 127.0.0.1:1025 and its HTTP API on :8025 (the
#      next free ports if those are taken), mail kept in .data/mailpit.db; a Mailpit already
#      answering there is used instead; EXITFLOW_SMTP_HOST/PORT point at it for the rest of the run;
#   5. generates a demo CoC into .data/demo and imports it into its own database, exitflow_demo, on
#      the same server (scripts/demodb), so the configured database never gets demo data;
#   6. the demo agency's contacts (a liaison of organization 3, an HMIS staff member) and the exitflow worker;
#   7. prints what runs where, with the export line that points the CLI at the demo, and waits.
#
# Knobs (environment or `make run VAR=value`): DEMO=0 skips the demo; DEMO_HOUSEHOLDS (2000),
# DEMO_SEED (42); PG_PORT (5433, first port tried for a private cluster); PG_BIN (directory of
# initdb/pg_ctl, default the newest /usr/lib/postgresql/*/bin); PG_RUN_AS (postgres: the user the
# private cluster runs as when this script runs as root, since initdb refuses root);
# TEMPORAL_UI_PORT (8233); MAILPIT_SMTP_PORT (1025), MAILPIT_HTTP_PORT (8025): first ports tried for
# Mailpit; MAILPIT=0 starts no Mailpit and keeps the configured SMTP server (smtp_host).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

GO=${GO:-go}
export GO
export TEMPORAL_CLI_VERSION=${TEMPORAL_CLI_VERSION:-v1.5.1}
export MAILPIT_VERSION=${MAILPIT_VERSION:-v1.27.11}
DATA=$ROOT/.data
LOGS=$DATA/logs
EXITFLOW=$ROOT/bin/exitflow
DEMO=${DEMO:-1}
DEMO_DIR=$DATA/demo
DEMO_HOUSEHOLDS=${DEMO_HOUSEHOLDS:-2000}
DEMO_SEED=${DEMO_SEED:-42}
PG_PORT=${PG_PORT:-5433}
PG_RUN_AS=${PG_RUN_AS:-postgres}
TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8233}
MAILPIT=${MAILPIT:-1}
MAILPIT_SMTP_PORT=${MAILPIT_SMTP_PORT:-1025}
MAILPIT_HTTP_PORT=${MAILPIT_HTTP_PORT:-8025}
SEARCH_ATTRIBUTES=(ExitflowAgency=Keyword ExitflowProjects=KeywordList ExitflowMethod=Keyword ExitflowPhase=Keyword)

T0=$(date +%s)
say() { printf '[make run %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() {
	say "ERROR: $*" >&2
	exit 1
}
mask() { sed -E 's#(://[^:/@]*:)[^@/]*@#\1xxxxx@#' <<<"$1"; }
rel() { echo "${1#"$ROOT"/}"; }
# shq WORD: WORD as it must be written on a shell command line (a URL's ? and & need quotes).
shq() {
	local q="'\''"
	if [[ $1 =~ ^[A-Za-z0-9@%+=:,./_-]*$ ]]; then echo "$1"; else echo "'${1//\'/$q}'"; fi
}

mkdir -p "$LOGS"

# One `make run` per tree at a time (children close fd 8 so they never hold the lock).
exec 8>"$DATA/run.lock"
flock -n 8 || die "another 'make run' is already running in this tree (it holds .data/run.lock)"

# ---- what this run started, stopped in reverse order by cleanup() ---------------------------------
CHILD_PIDS=()   # background processes (Temporal dev server, Mailpit)
CHILD_NAMES=()
CHILD_LOGS=()
PG_STARTED=""   # set to the data directory when this run started (or adopted) the private cluster
SLEEP_PID=""
CLEANING=""

# start_child NAME LOGFILE CMD...: runs CMD in the background in its own session (so a Ctrl-C on
# the terminal reaches this script only, which then stops children in order), output to LOGFILE.
start_child() {
	local name=$1 log=$2
	shift 2
	setsid "$@" </dev/null >>"$log" 2>&1 8>&- &
	CHILD_PIDS+=("$!")
	CHILD_NAMES+=("$name")
	CHILD_LOGS+=("$log")
}

stop_pid() { # stop_pid PID NAME: SIGTERM, then SIGKILL after 30 s
	local pid=$1 name=$2 i
	kill -0 "$pid" 2>/dev/null || return 0
	say "stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$name did not stop in 30 s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	[[ -n $CLEANING ]] && return
	CLEANING=1
	set +e
	trap '' INT TERM
	[[ -n $SLEEP_PID ]] && kill "$SLEEP_PID" 2>/dev/null
	local i
	for ((i = ${#CHILD_PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${CHILD_PIDS[i]}" "${CHILD_NAMES[i]}"
	done
	if [[ -n $PG_STARTED ]]; then
		say "stopping the private PostgreSQL cluster ($(rel "$PG_STARTED"))"
		as_pg "$PG_BIN/pg_ctl" -D "$PG_STARTED" -m fast -w -t 60 stop >>"$LOGS/postgres.log" 2>&1 ||
			say "pg_ctl stop failed; see .data/logs/postgres.log"
	fi
	if ((${#CHILD_PIDS[@]})) || [[ -n $PG_STARTED ]]; then
		say "stopped everything make run started"
	elif [[ $rc == 0 ]]; then
		say "nothing to stop: make run started no process"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo; say "SIGINT received"; exit 0' INT
trap 'say "SIGTERM received"; exit 0' TERM

# port_busy HOST PORT: something accepts TCP connections there.
port_busy() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# config_value KEY: the effective setting (flags > EXITFLOW_* > ./exitflow.yaml > default), as
# `exitflow config show` prints it (the database password masked).
config_value() {
	"$EXITFLOW" config show | awk -v k="$1" '$1 == k && $3 !~ /^\(/ { print $3 }'
}

# ---- 1. build --------------------------------------------------------------------------------------
say "building bin/exitflow"
"$GO" build -o bin/exitflow ./starter

DB_URL=$(config_value database_url)
TEMPORAL_ADDR=$(config_value temporal_address)
TEMPORAL_NS=$(config_value temporal_namespace)
TASK_QUEUE=$(config_value task_queue)
[[ -n $DB_URL && -n $TEMPORAL_ADDR ]] || die "could not read the configuration (bin/exitflow config show)"

# ---- 2. PostgreSQL ------------------------------------------------------------------------------------
find_pg_bin() {
	if [[ -n ${PG_BIN:-} ]]; then
		echo "$PG_BIN"
		return
	fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [[ -n $d && -x $d/initdb ]]; then
		echo "$d"
	elif command -v initdb >/dev/null; then
		dirname "$(command -v initdb)"
	elif command -v pg_config >/dev/null && [[ -x $(pg_config --bindir)/initdb ]]; then
		pg_config --bindir
	fi
}
PG_BIN=$(find_pg_bin)

# as_pg CMD...: runs a PostgreSQL server command; as PG_RUN_AS when we are root (initdb and
# postgres refuse to run as root).
as_pg() {
	if ((EUID != 0)); then
		(cd / && "$@")
	elif command -v runuser >/dev/null; then
		(cd / && runuser -u "$PG_RUN_AS" -- "$@")
	else
		(cd / && setpriv --reuid="$PG_RUN_AS" --regid="$PG_RUN_AS" --init-groups -- "$@")
	fi
}

# pg_answers URL: a PostgreSQL server accepts connections at URL (database and password not checked).
pg_answers() {
	local isready
	isready=$(command -v pg_isready || echo "${PG_BIN:-/nonexistent}/pg_isready")
	if [[ -x $isready ]]; then
		"$isready" -q -t 3 -d "$1"
		return
	fi
	# No pg_isready: settle for the TCP port.
	local rest hostport host port
	rest=${1#*://}
	rest=${rest#*@}
	hostport=${rest%%[/?]*}
	host=${hostport%:*}
	port=${hostport##*:}
	[[ $hostport == *:* ]] || port=5432
	port_busy "${host:-127.0.0.1}" "$port"
}

start_private_pg() {
	[[ -n $PG_BIN && -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] ||
		die "no PostgreSQL answers at $(mask "$DB_URL") and PostgreSQL's server binaries (initdb, pg_ctl) are not installed (apt-get install postgresql, or set PG_BIN); or point EXITFLOW_DATABASE_URL at a running server"
	local pgdir=$DATA/pg
	local pgdata=$pgdir/data sock=$pgdir/run pglog=$LOGS/postgres.log
	mkdir -p "$pgdir" "$sock"
	touch "$pglog"
	if ((EUID == 0)); then
		id -u "$PG_RUN_AS" >/dev/null 2>&1 ||
			die "running as root, and initdb refuses root: create a user '$PG_RUN_AS' (the postgresql package does) or set PG_RUN_AS, or run make run as a normal user"
		chown -R "$PG_RUN_AS": "$pgdir" "$pglog"
		as_pg test -w "$pgdir" -a -x "$pgdir" ||
			die "running as root: the private cluster runs as '$PG_RUN_AS', who cannot reach $pgdir (a parent directory such as /root is closed to other users); run make run as a normal user, move the clone, or set EXITFLOW_DATABASE_URL to a running PostgreSQL"
	fi

	local major
	major=$("$PG_BIN/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')
	if [[ -s $pgdata/PG_VERSION ]] && [[ $(cat "$pgdata/PG_VERSION") != "$major" ]]; then
		die "$(rel "$pgdata") was made by PostgreSQL $(cat "$pgdata/PG_VERSION") but $PG_BIN is $major: remove .data/pg (its data is only the demo) and run again"
	fi
	if [[ ! -s $pgdata/PG_VERSION ]]; then
		say "initialising a private PostgreSQL $major cluster in $(rel "$pgdata")"
		rm -rf "$pgdata"
		mkdir -p "$pgdata"
		((EUID == 0)) && chown "$PG_RUN_AS": "$pgdata"
		as_pg "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --no-locale >"$LOGS/initdb.log" 2>&1 ||
			die "initdb failed; see .data/logs/initdb.log"
	fi

	local port
	if as_pg "$PG_BIN/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
		# Left running by an earlier run that was killed hard: adopt it (run.lock says no other run owns it).
		port=$(sed -n 4p "$pgdata/postmaster.pid")
		say "the private cluster was still running (port $port) from an earlier run: using it; it stops with this run"
	else
		port=$PG_PORT
		while port_busy 127.0.0.1 "$port"; do
			((port++))
			((port < PG_PORT + 50)) || die "no free port in $PG_PORT..$((PG_PORT + 49)) for the private PostgreSQL"
		done
		# A Unix socket path must fit in 107 bytes; without one, TCP on 127.0.0.1 is enough.
		local sockopt="-k '$sock'"
		((${#sock} < 90)) || sockopt="-c unix_socket_directories=''"
		say "starting the private PostgreSQL cluster on 127.0.0.1:$port (log .data/logs/postgres.log)"
		as_pg "$PG_BIN/pg_ctl" -D "$pgdata" -l "$pglog" -w -t 60 \
			-o "-p $port -c listen_addresses=127.0.0.1 $sockopt" start >/dev/null 8>&- ||
			die "the private PostgreSQL did not start; see .data/logs/postgres.log"
	fi
	PG_STARTED=$pgdata

	# Keep the database name the configuration asked for.
	local rest db=exitflow
	rest=${DB_URL#*://}
	if [[ $rest == */* ]]; then
		rest=${rest#*/}
		rest=${rest%%\?*}
		[[ -n $rest ]] && db=$rest
	fi
	DB_URL="postgres://postgres@127.0.0.1:$port/$db"
	export EXITFLOW_DATABASE_URL=$DB_URL
}

PG_NOTE="already running; not started by make run"
if pg_answers "$DB_URL"; then
	say "PostgreSQL answers at $(mask "$DB_URL"): using it"
else
	say "no PostgreSQL answers at $(mask "$DB_URL"): starting a private cluster under .data/pg"
	start_private_pg
	PG_NOTE="private cluster in .data/pg, started by make run; stops with it"
fi

# ---- 3. schema ----------------------------------------------------------------------------------------
say "migrating $(mask "$DB_URL")"
"$EXITFLOW" migrate

# ---- 4. Temporal ---------------------------------------------------------------------------------------
TEMPORAL=$(scripts/temporal-cli.sh)

temporal_healthy() {
	"$TEMPORAL" operator cluster health --address "$TEMPORAL_ADDR" --command-timeout 3s 2>/dev/null | grep -q SERVING
}

TEMPORAL_NOTE="already running; not started by make run"
UI_URL=""
if temporal_healthy; then
	say "a Temporal server already answers at $TEMPORAL_ADDR: using it"
	# Make sure exitflow's search attributes exist there (an error for one that exists is expected).
	for sa in "${SEARCH_ATTRIBUTES[@]}"; do
		"$TEMPORAL" operator search-attribute create --address "$TEMPORAL_ADDR" --namespace "$TEMPORAL_NS" \
			--name "${sa%%=*}" --type "${sa#*=}" >/dev/null 2>&1 || true
	done
else
	t_host=${TEMPORAL_ADDR%:*}
	t_port=${TEMPORAL_ADDR##*:}
	case $t_host in
	127.0.0.1 | localhost) t_host=127.0.0.1 ;;
	*) die "no Temporal server answers at $TEMPORAL_ADDR (EXITFLOW_TEMPORAL_ADDRESS), and make run only starts one on this machine (127.0.0.1)" ;;
	esac
	port_busy "$t_host" "$t_port" && die "port $t_port is taken by something that is not a Temporal server; free it or set EXITFLOW_TEMPORAL_ADDRESS=127.0.0.1:<port>"
	port_busy "$t_host" "$TEMPORAL_UI_PORT" && die "port $TEMPORAL_UI_PORT (Temporal Web UI) is taken; free it or set TEMPORAL_UI_PORT"
	args=(server start-dev --ip "$t_host" --port "$t_port" --ui-port "$TEMPORAL_UI_PORT"
		--db-filename "$DATA/temporal.db")
	for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
	[[ $TEMPORAL_NS == default ]] || args+=(--namespace "$TEMPORAL_NS")
	say "starting the Temporal dev server on $t_host:$t_port, Web UI :$TEMPORAL_UI_PORT (log .data/logs/temporal.log)"
	echo "---- $(date -Is) $TEMPORAL ${args[*]}" >>"$LOGS/temporal.log"
	start_child "Temporal dev server" "$LOGS/temporal.log" "$TEMPORAL" "${args[@]}"
	t_pid=${CHILD_PIDS[-1]}
	for ((i = 0; ; i++)); do
		kill -0 "$t_pid" 2>/dev/null || {
			tail -n 20 "$LOGS/temporal.log" >&2
			die "the Temporal dev server exited; see .data/logs/temporal.log"
		}
		temporal_healthy && port_busy "$t_host" "$TEMPORAL_UI_PORT" && break
		((i < 240)) || die "the Temporal dev server did not answer within 60 s; see .data/logs/temporal.log"
		sleep 0.25
	done
	UI_URL="http://$t_host:$TEMPORAL_UI_PORT"
	TEMPORAL_NOTE="dev server started by make run, state in .data/temporal.db; stops with it"
fi
export EXITFLOW_TEMPORAL_ADDRESS=$TEMPORAL_ADDR

# exitflow setup: the search attributes (again, idempotently) and the daily auto-exit sweep's schedule
# auto-exit-sweep (created, or updated when sweep_time, timezone or task_queue changed).
say "exitflow setup: search attributes and the daily sweep's schedule (log .data/logs/setup.log)"
echo "---- $(date -Is) setup" >>"$LOGS/setup.log"
"$EXITFLOW" setup >>"$LOGS/setup.log" 2>&1 || {
	tail -n 20 "$LOGS/setup.log" >&2
	die "exitflow setup failed; see .data/logs/setup.log"
}
SWEEP_NOTE=$(grep '^schedule auto-exit-sweep:' "$LOGS/setup.log" | tail -n 1)
SWEEP_NOTE=${SWEEP_NOTE#schedule auto-exit-sweep: }
say "schedule auto-exit-sweep: $SWEEP_NOTE"

# ---- 4b. Mailpit -----------------------------------------------------------------------------------------
# Notifications go to a Mailpit that keeps them (nothing reaches a real mailbox); read them with its
# HTTP API or `exitflow notifications list`. Its web pages are not in the Go module it is built from.
MAIL_NOTE=""
MAIL_API=""
if [[ $MAILPIT == 0 ]]; then
	smtp_host=$(config_value smtp_host)
	MAIL_NOTE="MAILPIT=0: the configured SMTP server ${smtp_host:-(none: smtp_host is not set)}:$(config_value smtp_port)"
else
	MAILPIT_BIN=$(scripts/mailpit.sh)
	mailpit_ready() { "$MAILPIT_BIN" readyz --listen "127.0.0.1:$1" >/dev/null 2>&1; }
	if port_busy 127.0.0.1 "$MAILPIT_SMTP_PORT" && mailpit_ready "$MAILPIT_HTTP_PORT"; then
		say "a Mailpit already answers on 127.0.0.1:$MAILPIT_SMTP_PORT (API :$MAILPIT_HTTP_PORT): using it"
		MAIL_NOTE="already running; not started by make run"
	else
		# The first free ports from the defaults on (a Mailpit of another tree may hold 1025/8025).
		first_smtp=$MAILPIT_SMTP_PORT first_http=$MAILPIT_HTTP_PORT
		while port_busy 127.0.0.1 "$MAILPIT_SMTP_PORT"; do
			((++MAILPIT_SMTP_PORT < first_smtp + 50)) || die "no free port in $first_smtp..$((first_smtp + 49)) for Mailpit's SMTP (MAILPIT_SMTP_PORT)"
		done
		while port_busy 127.0.0.1 "$MAILPIT_HTTP_PORT" || ((MAILPIT_HTTP_PORT == MAILPIT_SMTP_PORT)); do
			((++MAILPIT_HTTP_PORT < first_http + 50)) || die "no free port in $first_http..$((first_http + 49)) for Mailpit's HTTP API (MAILPIT_HTTP_PORT)"
		done
		((MAILPIT_SMTP_PORT == first_smtp && MAILPIT_HTTP_PORT == first_http)) ||
			say "port $first_smtp or $first_http is taken: Mailpit gets $MAILPIT_SMTP_PORT and $MAILPIT_HTTP_PORT"
		args=(--listen "127.0.0.1:$MAILPIT_HTTP_PORT" --smtp "127.0.0.1:$MAILPIT_SMTP_PORT" --database "$DATA/mailpit.db"
			--max 0 --disable-version-check --smtp-disable-rdns)
		say "starting Mailpit: SMTP 127.0.0.1:$MAILPIT_SMTP_PORT, HTTP API :$MAILPIT_HTTP_PORT (log .data/logs/mailpit.log)"
		echo "---- $(date -Is) $MAILPIT_BIN ${args[*]}" >>"$LOGS/mailpit.log"
		start_child "Mailpit" "$LOGS/mailpit.log" "$MAILPIT_BIN" "${args[@]}"
		m_pid=${CHILD_PIDS[-1]}
		for ((i = 0; ; i++)); do
			kill -0 "$m_pid" 2>/dev/null || {
				tail -n 20 "$LOGS/mailpit.log" >&2
				die "Mailpit exited; see .data/logs/mailpit.log"
			}
			port_busy 127.0.0.1 "$MAILPIT_SMTP_PORT" && mailpit_ready "$MAILPIT_HTTP_PORT" && break
			((i < 120)) || die "Mailpit did not answer within 30 s; see .data/logs/mailpit.log"
			sleep 0.25
		done
		MAIL_NOTE="Mailpit $MAILPIT_VERSION started by make run, mail kept in .data/mailpit.db; stops with it"
	fi
	MAIL_API="http://127.0.0.1:$MAILPIT_HTTP_PORT/api/v1/messages"
	export EXITFLOW_SMTP_HOST=127.0.0.1 EXITFLOW_SMTP_PORT=$MAILPIT_SMTP_PORT
fi

# ---- 5. demo CoC -----------------------------------------------------------------------------------------
DEMO_NOTE=""
DEMO_DB_URL=""
DQM_NOTE=""
has_command() { "$EXITFLOW" "$1" --help >/dev/null 2>&1; }
if [[ $DEMO == 0 ]]; then
	DEMO_NOTE="skipped (DEMO=0)"
elif ! has_command generate; then
	say "demo CoC skipped: this exitflow has no 'generate' command yet"
	DEMO_NOTE="skipped: no 'exitflow generate' yet"
else
	# Always into a fresh folder, swapped in when complete: re-runs never trip over old data.
	rm -rf "$DEMO_DIR.new"
	say "generating a demo CoC: $DEMO_HOUSEHOLDS households, seed $DEMO_SEED (log .data/logs/demo.log)"
	echo "---- $(date -Is) generate" >>"$LOGS/demo.log"
	"$EXITFLOW" generate --out "$DEMO_DIR.new" --households "$DEMO_HOUSEHOLDS" --seed "$DEMO_SEED" >>"$LOGS/demo.log" 2>&1 || {
		tail -n 20 "$LOGS/demo.log" >&2
		die "exitflow generate failed; see .data/logs/demo.log"
	}
	rm -rf "$DEMO_DIR"
	mv "$DEMO_DIR.new" "$DEMO_DIR"
	if has_command import; then
		# Its own database on the same server: the configured one is where a real CoC is imported.
		# From the effective configuration, with its password (config show masks it).
		DEMO_DB_URL=$("$GO" run ./scripts/demodb) || die "could not work out the demo database URL (go run ./scripts/demodb)"
		say "migrating the demo database $(mask "$DEMO_DB_URL")"
		EXITFLOW_DATABASE_URL=$DEMO_DB_URL "$EXITFLOW" migrate || die "migrating the demo database failed"
		say "importing .data/demo into $(mask "$DEMO_DB_URL")"
		echo "---- $(date -Is) import into $(mask "$DEMO_DB_URL")" >>"$LOGS/demo.log"
		EXITFLOW_DATABASE_URL=$DEMO_DB_URL "$EXITFLOW" import "$DEMO_DIR" 2>&1 | tee -a "$LOGS/demo.log" ||
			die "exitflow import failed; see .data/logs/demo.log"
		DEMO_NOTE="$DEMO_HOUSEHOLDS households (seed $DEMO_SEED), imported into database exitflow_demo"
		# What make run starts from here on works on the demo, as the CLI with the printed export line does.
		export EXITFLOW_DATABASE_URL=$DEMO_DB_URL
		if has_command dqm; then
			say "follow-up DQM of the demo CoC into .data/demo-dqm (log .data/logs/demo.log)"
			"$EXITFLOW" dqm run --out "$ROOT/.data/demo-dqm" --force --actor "make run" >>"$LOGS/demo.log" 2>&1 ||
				die "exitflow dqm run failed; see .data/logs/demo.log"
			DQM_NOTE=".data/demo-dqm/report.html (open it in a browser), measures.csv, findings.csv"
		fi
	else
		say "demo CoC not imported: this exitflow has no 'import' command yet"
		DEMO_NOTE="$DEMO_HOUSEHOLDS households (seed $DEMO_SEED), not imported: no 'exitflow import' yet"
	fi
fi

# ---- 6. worker ----------------------------------------------------------------------------------------------
# The demo's agency contacts first, so that the README's agreement example validates: the liaison of
# organization 3 and the CoC's HMIS staff member (idempotent: a re-run changes nothing).
if [[ -n $DEMO_DB_URL ]]; then
	{
		"$EXITFLOW" contact add --role liaison --organization 3 --email dana.reyes@agency.example --name "Dana Reyes" --actor "make run" &&
			"$EXITFLOW" contact add --role hmis-staff --email sam.ortiz@coc.example --name "Sam Ortiz" --actor "make run"
	} >>"$LOGS/demo.log" 2>&1 || die "adding the demo contacts failed; see .data/logs/demo.log"
fi
# It inherits EXITFLOW_DATABASE_URL (the demo database when a demo was imported),
# EXITFLOW_TEMPORAL_ADDRESS and EXITFLOW_SMTP_* as exported above; cleanup() stops children in
# reverse start order, so the worker stops before Mailpit, Temporal and PostgreSQL.
say "starting the exitflow worker on task queue $TASK_QUEUE (log .data/logs/worker.log)"
echo "---- $(date -Is) worker" >>"$LOGS/worker.log"
start_child "exitflow worker" "$LOGS/worker.log" "$EXITFLOW" worker
WORKER_NOTE="task queue $TASK_QUEUE, log .data/logs/worker.log"

# ---- 7. report, then wait ----------------------------------------------------------------------------------
logs=$(cd "$LOGS" && ls -- *.log 2>/dev/null | tr '\n' ' ')
# The CLI in another terminal goes to the demo database if there is one, else to the private cluster
# (a URL of the user's own needs no export: they configured it).
CLI_DB_URL=${DEMO_DB_URL:-${PG_STARTED:+$DB_URL}}
CLI_DB_NOTE=""
[[ $(mask "$CLI_DB_URL") == "$CLI_DB_URL" ]] || CLI_DB_NOTE="  (password masked: put yours in place of xxxxx)"
cat <<EOF

================================================================================
exitflow local stack is up (ready in $(($(date +%s) - T0)) s)
  Temporal frontend  $TEMPORAL_ADDR  namespace $TEMPORAL_NS  ($TEMPORAL_NOTE)
  Temporal Web UI    ${UI_URL:-see your Temporal server}
  Mail (SMTP)        ${EXITFLOW_SMTP_HOST:+$EXITFLOW_SMTP_HOST:$EXITFLOW_SMTP_PORT  }($MAIL_NOTE)${MAIL_API:+
  Mail received      $MAIL_API  (JSON; /api/v1/search?query=to:ADDRESS, /api/v1/message/ID)}
  PostgreSQL         $(mask "$DB_URL")  ($PG_NOTE)
  Demo CoC           .data/demo  ($DEMO_NOTE)${DEMO_DB_URL:+
  Demo database      $(mask "$DEMO_DB_URL")}${DQM_NOTE:+
  Demo DQM report    $DQM_NOTE}
  Worker             $WORKER_NOTE
  Sweep schedule     auto-exit-sweep: ${SWEEP_NOTE:-see .data/logs/setup.log}  (bin/exitflow schedule describe auto-exit-sweep)
  Logs               .data/logs/: $logs
  Temporal CLI       .data/bin/temporal ($TEMPORAL_CLI_VERSION)
Use it from another terminal:
  export ${CLI_DB_URL:+EXITFLOW_DATABASE_URL=$(shq "$(mask "$CLI_DB_URL")") }EXITFLOW_TEMPORAL_ADDRESS=$TEMPORAL_ADDR${MAIL_API:+ EXITFLOW_SMTP_HOST=$EXITFLOW_SMTP_HOST EXITFLOW_SMTP_PORT=$EXITFLOW_SMTP_PORT}$CLI_DB_NOTE
  bin/exitflow config show
  .data/bin/temporal workflow list --address $TEMPORAL_ADDR
  bin/exitflow notifications list    # what exitflow mailed, and what became of it
  bin/exitflow sweep run --wait      # the daily auto-exit sweep now; bin/exitflow sweep history
Ctrl-C stops what make run started.
================================================================================
EOF

while :; do
	sleep 2 8>&- &
	SLEEP_PID=$!
	wait "$SLEEP_PID" || true
	SLEEP_PID=""
	for i in "${!CHILD_PIDS[@]}"; do
		if ! kill -0 "${CHILD_PIDS[i]}" 2>/dev/null; then
			rc=0
			wait "${CHILD_PIDS[i]}" 2>/dev/null || rc=$?
			tail -n 20 "${CHILD_LOGS[i]}" >&2
			die "${CHILD_NAMES[i]} exited on its own (status $rc); see $(rel "${CHILD_LOGS[i]}"); stopping the rest"
		fi
	done
done
