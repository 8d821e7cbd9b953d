#!/bin/sh
# Build netinit's static libraries with musl from Debian's source packages.
#   tools/build-deps.sh <builddir>
# Sources come from `apt-get source` of Debian's source suite $DEPS_SUITE (default trixie,
# Debian 13: mbedTLS 3.6 LTS, curl 8.14, libarchive 3.7), unpacked with dpkg-source -x so
# Debian's patches stay applied. The suite's deb-src entries are derived from the machine's
# own apt sources (never a host name here) into a private apt state under <builddir>/apt:
# deb-src only, nothing is added to /etc/apt, so no package of that suite can ever be
# installed on the host and other builds on the machine keep seeing only its own suite.
# Everything lands in <builddir>/sysroot; <builddir>/sysroot/.stamp marks a finished build.
set -eu
B=$(cd "${1:-build}" 2>/dev/null && pwd || { mkdir -p "${1:-build}"; cd "${1:-build}"; pwd; })
SUITE=${DEPS_SUITE:-trixie}
SRC=$B/deps
P=$B/sysroot
JOBS=${JOBS:-$(nproc)}
export CC=musl-gcc
CFLAGS_BASE="-Os -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections -fPIC"
export CFLAGS="$CFLAGS_BASE"
export CPPFLAGS="-I$P/include"
export LDFLAGS="-L$P/lib -static"
export PKG_CONFIG_PATH="$P/lib/pkgconfig" PKG_CONFIG_LIBDIR="$P/lib/pkgconfig"
mkdir -p "$SRC" "$P/include" "$P/lib"
: > "$P/versions.txt"

log() { echo "deps: $*" >&2; }

# Kernel UAPI headers for musl-gcc (it does not search /usr/include).
for d in linux asm-generic mtd; do
	rm -rf "$P/include/$d"; cp -r "/usr/include/$d" "$P/include/$d"
done
rm -rf "$P/include/asm"; cp -r "/usr/include/$(gcc -dumpmachine)/asm" "$P/include/asm"

# The private apt state: deb-src stanzas for $SUITE, one per deb822 stanza (or one-line
# entry) of the machine's sources whose suites name the machine's own codename, with that
# codename replaced (bookworm, bookworm-updates, bookworm-security -> trixie, ...).
APT=$B/apt
APTOPT="-o Dir::Etc::SourceList=$APT/sources.list -o Dir::Etc::SourceParts=$APT/sources.list.d
 -o Dir::State::Lists=$APT/lists -o Dir::Cache=$APT/cache -o Dir::State::status=/dev/null
 -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=$APT/preferences.d"
apt_setup() {	# once per run of this script (fetch runs in subshells: $$ is this script's)
	[ "$(cat "$APT/.updated" 2>/dev/null)" = "$$" ] && return 0
	host=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$host" ] || { log "no VERSION_CODENAME in /etc/os-release"; exit 1; }
	mkdir -p "$APT/sources.list.d" "$APT/preferences.d" "$APT/lists/partial" "$APT/cache/archives/partial"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		case "$f" in *netinit-src*) continue;; esac
		awk -v host="$host" -v suite="$SUITE" '
			# one stanza at a time: kept when it is enabled, of Types deb, and its
			# Suites name the host codename (bookworm, bookworm-updates, ...)
			function flush() {
				if (deb && hit && !off) { for (i = 1; i <= n; i++) print buf[i]; print "" }
				n = deb = hit = off = 0
			}
			/^[[:space:]]*$/ { flush(); next }
			/^Types:/ { deb = ($0 ~ /[: \t]deb([ \t]|$)/); buf[++n] = "Types: deb-src"; next }
			/^Enabled:[[:space:]]*no/ { off = 1 }
			/^Suites:/ { line = ""
				for (i = 2; i <= NF; i++) {
					w = $i
					if (w == host || index(w, host "-") == 1) { w = suite substr(w, length(host) + 1); hit = 1 }
					line = line " " w
				}
				buf[++n] = "Suites:" line; next }
			{ buf[++n] = $0 }
			END { flush() }' "$f"
	done > "$APT/sources.list.d/netinit-deps.sources"
	: > "$APT/sources.list"
	if [ -f /etc/apt/sources.list ]; then
		sed -n "s/^deb[[:space:]]\(.*[[:space:]]\)$host\([-[:alnum:]]*[[:space:]]\)/deb-src \1$SUITE\2/p" \
			/etc/apt/sources.list > "$APT/sources.list"
	fi
	if ! [ -s "$APT/sources.list" ] && ! grep -q '^Suites:' "$APT/sources.list.d/netinit-deps.sources"; then
		log "no apt source of this machine names its suite '$host': cannot derive $SUITE's"; exit 1
	fi
	log "apt: $SUITE sources ($APT)"
	# shellcheck disable=SC2086
	apt-get $APTOPT update -q >&2
	echo "$$" > "$APT/.updated"
}

# fetch <source package>: unpack it into $SRC/<pkg> with Debian's patches, then netinit's
# own from tools/patches/<pkg>/ (upstream fixes Debian does not carry yet, each with its
# reason in its header), and print that directory. A tree unpacked from another suite or
# with another set of netinit patches is unpacked again.
PATCHES=$(cd "$(dirname "$0")/patches" && pwd)
fetch() {
	pkg=$1
	dir=$SRC/$pkg
	want="$SUITE $(cat "$PATCHES/$pkg"/*.patch 2>/dev/null | sha256sum | cut -c1-16)"
	if [ -d "$dir" ] && [ "$(cat "$dir/.netinit-patches" 2>/dev/null)" != "$want" ]; then
		log "$pkg: unpacked from another suite or with other patches: unpacking again"
		rm -rf "$dir"
	fi
	if [ ! -d "$dir" ]; then
		apt_setup
		tmp=$SRC/.dl-$pkg
		rm -rf "$tmp"; mkdir -p "$tmp"
		# The newest version first; when a mirror lacks its files (a security
		# update whose sources are not mirrored), the next older one listed.
		ok=0
		# shellcheck disable=SC2086
		for ver in "" $(apt-cache $APTOPT showsrc "$pkg" | sed -n 's/^Version: //p' | sort -ruV); do
			rm -f "$tmp"/*
			if ( cd "$tmp" && apt-get $APTOPT source -q --download-only "$pkg${ver:+=$ver}" >&2 ); then
				ok=1; break
			fi
			echo "deps: $pkg${ver:+ $ver}: source not available, trying an older version" >&2
		done
		[ "$ok" = 1 ] || { echo "deps: $pkg: no source version could be downloaded" >&2; exit 1; }
		dsc=$(ls "$tmp"/*.dsc | head -n 1)
		dpkg-source --no-check -x "$dsc" "$tmp/src" >&2
		mv "$tmp/src" "$dir"
		ver=$(cd "$dir" && dpkg-parsechangelog -S Version)
		extra=""
		for pf in "$PATCHES/$pkg"/*.patch; do
			[ -f "$pf" ] || continue
			log "$pkg: applying netinit's $(basename "$pf")"
			patch -d "$dir" -p1 --forward --quiet < "$pf" >&2
			extra="$extra+$(basename "$pf" .patch)"
		done
		echo "$want" > "$dir/.netinit-patches"
		echo "$pkg $ver$extra" > "$dir/.netinit-version"
		rm -rf "$tmp"
	fi
	cat "$dir/.netinit-version" >> "$P/versions.txt"
	echo "$dir"
}

log "zlib"
d=$(fetch zlib)
( cd "$d" && ./configure --static --prefix="$P" >&2 && make -j"$JOBS" libz.a >&2 && make install >&2 )

log "zstd"
d=$(fetch libzstd)
( cd "$d/lib" && make -j"$JOBS" libzstd.a ZSTD_LEGACY_SUPPORT=0 ZSTD_LIB_DEPRECATED=0 >&2 &&
  make install-static install-includes install-pc PREFIX="$P" >&2 )

log "xz (liblzma)"
d=$(fetch xz-utils)
( cd "$d" && ./configure --prefix="$P" --disable-shared --enable-static --disable-xz --disable-xzdec \
	--disable-lzmadec --disable-lzmainfo --disable-scripts --disable-doc --disable-nls \
	--disable-lzma-links --disable-threads >&2 &&
  make -j"$JOBS" -C src/liblzma >&2 && make -C src/liblzma install >&2 )

log "mbedtls"
d=$(fetch mbedtls)
# The configuration: Debian's own changes (debian/rules: threading with pthreads, so PSA's
# global state is locked), TLS 1.2 and 1.3 stated explicitly (3.6's defaults; the TLS 1.3
# handshake calls psa_crypto_init() itself since 3.6.1), and, because netinit is only ever
# a TLS client over TCP, no server side and no DTLS (their code would be linked: the
# handshake state machine calls it). PSA's dispatch links every algorithm the configuration
# has, so what no TLS client of ours negotiates or verifies goes too: EC-JPAKE, 3DES,
# Camellia, ARIA, CMAC, key wrapping, RIPEMD-160, SHA-3, LMS, persistent PSA keys, and the
# curves outside the web's common set (192/224-bit, secp256k1, Brainpool). Left: TLS 1.2 + 1.3 with
# AES-GCM/CCM/CBC and ChaCha20-Poly1305; ECDHE on P-256/384/521, X25519, X448, FFDHE;
# RSA and ECDSA certificate chains.
( cd "$d" && cfg=include/mbedtls/mbedtls_config.h &&
  { [ -e $cfg.debian ] || cp $cfg $cfg.debian; } && cp $cfg.debian $cfg &&
  for o in MBEDTLS_THREADING_C MBEDTLS_THREADING_PTHREAD MBEDTLS_SSL_PROTO_TLS1_2 \
	MBEDTLS_SSL_PROTO_TLS1_3 MBEDTLS_SSL_CLI_C MBEDTLS_X509_CRT_PARSE_C; do
	python3 scripts/config.py -f $cfg set $o || exit 1
  done &&
  for o in MBEDTLS_SSL_SRV_C MBEDTLS_SSL_PROTO_DTLS MBEDTLS_SSL_DTLS_ANTI_REPLAY \
	MBEDTLS_SSL_DTLS_HELLO_VERIFY MBEDTLS_SSL_DTLS_CLIENT_PORT_REUSE MBEDTLS_SSL_DTLS_CONNECTION_ID \
	MBEDTLS_SSL_DTLS_SRTP MBEDTLS_SSL_COOKIE_C MBEDTLS_SSL_CACHE_C MBEDTLS_SSL_TICKET_C \
	MBEDTLS_ECJPAKE_C MBEDTLS_KEY_EXCHANGE_ECJPAKE_ENABLED MBEDTLS_DES_C MBEDTLS_CAMELLIA_C \
	MBEDTLS_ARIA_C MBEDTLS_CMAC_C MBEDTLS_NIST_KW_C MBEDTLS_RIPEMD160_C MBEDTLS_SHA3_C \
	MBEDTLS_LMS_C MBEDTLS_PSA_CRYPTO_STORAGE_C MBEDTLS_PSA_ITS_FILE_C \
	MBEDTLS_ECP_DP_SECP192R1_ENABLED MBEDTLS_ECP_DP_SECP224R1_ENABLED \
	MBEDTLS_ECP_DP_SECP192K1_ENABLED MBEDTLS_ECP_DP_SECP224K1_ENABLED \
	MBEDTLS_ECP_DP_SECP256K1_ENABLED MBEDTLS_ECP_DP_BP256R1_ENABLED \
	MBEDTLS_ECP_DP_BP384R1_ENABLED MBEDTLS_ECP_DP_BP512R1_ENABLED; do
	python3 scripts/config.py -f $cfg unset $o || exit 1
  done &&
  make -C library clean >&2 && make -j"$JOBS" -C library CC=musl-gcc CFLAGS="$CFLAGS_BASE -I../include" static >&2 &&
  rm -rf "$P/include/mbedtls" "$P/include/psa" &&
  cp -r include/mbedtls include/psa "$P/include/" &&
  cp library/libmbedtls.a library/libmbedx509.a library/libmbedcrypto.a "$P/lib/" )

log "curl"
d=$(fetch curl)
( cd "$d" && ./configure --prefix="$P" --disable-shared --enable-static \
	--with-mbedtls="$P" --without-openssl --without-gnutls --without-wolfssl \
	--with-zlib="$P" --without-zstd --without-brotli --without-libpsl --without-libidn2 \
	--without-nghttp2 --without-nghttp3 --without-ngtcp2 --without-libssh2 --without-libssh \
	--without-librtmp --without-libgsasl --disable-ldap --disable-ldaps --disable-rtsp \
	--disable-dict --disable-telnet --disable-pop3 --disable-imap --disable-smb --disable-smtp \
	--disable-gopher --disable-mqtt --disable-manual --disable-ntlm --disable-websockets \
	--disable-alt-svc --disable-hsts --disable-netrc --disable-docs --without-libuv \
	--disable-cookies --disable-doh --disable-mime --disable-form-api --disable-aws \
	--disable-bearer-auth --disable-digest-auth --disable-kerberos-auth --disable-negotiate-auth \
	--disable-headers-api --disable-bindlocal --disable-sha512-256 --disable-unix-sockets \
	--disable-get-easy-options --disable-tls-srp \
	--enable-ipv6 --enable-threaded-resolver \
	--with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --without-ca-path >&2 &&
  make -j"$JOBS" -C lib >&2 && make -C lib install >&2 && make -C include install >&2 )

log "libarchive"
d=$(fetch libarchive)
# Debian's tree carries libtool macros newer than bookworm's libtool: regenerate.
( cd "$d" && autoreconf -fi >&2 && ./configure --prefix="$P" --disable-shared --enable-static \
	--disable-bsdtar --disable-bsdcpio --disable-bsdcat --disable-bsdunzip --disable-acl --enable-xattr \
	--with-zlib --with-zstd --with-lzma --without-bz2lib --without-lz4 --without-lzo2 \
	--without-libb2 --without-openssl --without-nettle --without-mbedtls --without-xml2 \
	--without-expat --without-iconv --without-cng >&2 &&
  make -j"$JOBS" libarchive.la >&2 && make install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA >&2 )

log "cjson"
d=$(fetch cjson)
( cd "$d" && musl-gcc $CFLAGS_BASE -c cJSON.c -o cJSON.o && ar rcs "$P/lib/libcjson.a" cJSON.o &&
  mkdir -p "$P/include/cjson" && cp cJSON.h "$P/include/cjson/" )

# A header with the Debian source versions, printed by `init --version`.
{
	printf '#define NETINIT_DEPS_VERSIONS "'
	awk 'BEGIN{ORS=""} {if (NR>1) print "\\n"; print $1 " " $2}' "$P/versions.txt"
	printf '"\n'
} > "$P/include/netinit_deps.h"
touch "$P/.stamp"
log "done: $(tr '\n' ' ' < "$P/versions.txt")"
