#!/bin/sh
# Install every Debian package netinit needs to build, test and demo.
# Idempotent: does nothing when all packages are present.
# deb-src entries are derived from the machine's own apt sources (never a host name here).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# Each tools/packages/*.txt lists packages, one per line ('#' starts a comment).
PKGS=$(cat "$here"/packages/*.txt | sed 's/#.*//' | tr -s ' \t\n' '\n' | grep -v '^$' | sort -u)
[ -n "${NETINIT_EXTRA_PKGS:-}" ] && PKGS="$PKGS $NETINIT_EXTRA_PKGS"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
need_src=0
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
	need_src=1
fi
if [ "$need_src" = 1 ]; then
	# Copy each enabled deb822 source, or one-line source, as deb-src.
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		case "$f" in *netinit-src*) continue;; esac
		sed -n 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/; p' "$f"
		echo
	done > /etc/apt/sources.list.d/netinit-src.sources
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list > /etc/apt/sources.list.d/netinit-src.list
	fi
	[ -s /etc/apt/sources.list.d/netinit-src.sources ] || rm -f /etc/apt/sources.list.d/netinit-src.sources
fi
if [ -n "$missing" ] || [ "$need_src" = 1 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	[ -z "$missing" ] || apt-get install -y -q --no-install-recommends $missing
fi
# nginx-light's package starts a system nginx on port 80; tests run their own instances.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx >/dev/null 2>&1 || true; fi
exit 0
