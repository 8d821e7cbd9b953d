#!/bin/sh
# Host test: `init --plan` reads --json before or after the line (and --plan-file likewise);
# a missing line is a usage error, never "--json" taken as the command line.
set -u
ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${NETINIT_BUILD:-$ROOT/build}
INIT=$B/init
[ -x "$INIT" ] || { echo "plan-cli: $INIT not built"; exit 1; }
T=$(mktemp -d /tmp/netinit-plancli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "plan-cli: FAIL: $*"; fails=$((fails + 1)); }

want_json() { # <what> <output file>: one JSON object for root=/dev/vda, no errors
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if j["root_kind"] == "block" and j["root"] == "/dev/vda" and j["errors"] == [] else 1)' "$2" 2>/dev/null ||
		fail "$1: not the JSON plan of root=/dev/vda: $(head -c 200 "$2")"
}

"$INIT" --plan --json 'root=/dev/vda' > "$T/a" 2>&1 || fail "--plan --json LINE: exit $?"
want_json "--plan --json LINE" "$T/a"
"$INIT" --plan 'root=/dev/vda' --json > "$T/b" 2>&1 || fail "--plan LINE --json: exit $?"
want_json "--plan LINE --json" "$T/b"
printf 'root=/dev/vda\n' > "$T/cmdline"
"$INIT" --plan-file --json "$T/cmdline" > "$T/c" 2>&1 || fail "--plan-file --json FILE: exit $?"
want_json "--plan-file --json FILE" "$T/c"
"$INIT" --plan-file "$T/cmdline" --json > "$T/d" 2>&1 || fail "--plan-file FILE --json: exit $?"
want_json "--plan-file FILE --json" "$T/d"
# the human form stays the default
"$INIT" --plan 'root=/dev/vda' > "$T/e" 2>&1 || fail "--plan LINE: exit $?"
grep -q '^boot plan:$' "$T/e" || fail "--plan LINE: no human plan"
# no line: usage (exit 2), not a plan of the line "--json"
"$INIT" --plan --json > "$T/f" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q '^usage: init' "$T/f" || fail "--plan --json without a line: exit $rc: $(head -c 200 "$T/f")"
"$INIT" --plan 'root=/dev/vda' extra > "$T/g" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--plan LINE extra: exit $rc, want 2 (usage)"
[ $fails -eq 0 ] && echo "plan-cli: ok"
[ $fails -eq 0 ]
