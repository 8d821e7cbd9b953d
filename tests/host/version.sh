#!/bin/sh
# Host test: `init --version` names the libraries build/init really links, at least the
# releases the sysroot is meant to carry: mbedTLS 3.6 (LTS; 2.28 is past its end of life and
# matches no IP-address SAN), libcurl 8.14, libarchive 3.7. The mbedTLS and libcurl versions in
# that output come from the linked code at run time (curl_version(), mbedtls_version_get_string),
# not from a header, and the Debian source versions listed first come from the sysroot build.
set -u
ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${NETINIT_BUILD:-$ROOT/build}
[ -x "$B/init" ] || { echo "version: $B/init not built"; exit 77; }
out=$("$B/init" --version) || { echo "version: FAIL: init --version exited $?"; exit 1; }
fails=0

# atleast WHAT VERSION MIN: VERSION (x.y.z) >= MIN (x.y)
atleast() {
	if [ -z "$2" ]; then
		echo "version: FAIL: no $1 version in: $(echo "$out" | tr '\n' '|')"; fails=$((fails + 1)); return
	fi
	if [ "$(printf '%s\n%s\n' "$3" "$2" | sort -V | head -n 1)" = "$3" ]; then
		echo "version: PASS $1 $2 >= $3"
	else
		echo "version: FAIL: $1 $2 is older than $3"; fails=$((fails + 1))
	fi
}
atleast mbedTLS "$(echo "$out" | sed -n 's|.* mbedTLS/\([0-9][0-9.]*\).*|\1|p')" 3.6
atleast libcurl "$(echo "$out" | sed -n 's|^libcurl/\([0-9][0-9.]*\).*|\1|p')" 8.14
atleast libarchive "$(echo "$out" | sed -n 's|^libarchive \([0-9][0-9.]*\)\( .*\)\{0,1\}$|\1|p')" 3.7
# the Debian source packages the sysroot was built from are listed, one per library
for p in zlib libzstd xz-utils mbedtls curl libarchive cjson; do
	echo "$out" | grep -q "^$p [0-9]" || { echo "version: FAIL: no '$p <version>' line"; fails=$((fails + 1)); }
done
[ "$fails" = 0 ]
