# Helpers shared by bench/boot.sh and bench/dracut.sh (sourced after tests/e2e/lib.sh).
# field LOG KEY: the last " KEY=value" on the console
field() { sed -n "s/.* $2=\\([^ ]*\\).*/\\1/p" "$1" | tail -n 1 | tr -d '\r'; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
# median N...: of the numeric arguments ("?" when none)
median() { printf '%s\n' "$@" | grep -E '^-?[0-9.]+$' | sort -g | awk '{v[NR]=$1} END {if (!NR) print "?"; else if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
