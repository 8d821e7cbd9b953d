#!/bin/sh
# Build netinit's static libraries with musl from Debian's source packages.
#   tools/build-deps.sh <builddir>
# Sources come from `apt-get source` (deb-src entries: tools/setup-host.sh) and are
# unpacked with dpkg-source -x so Debian's patches stay applied. Everything lands in
# <builddir>/sysroot; <builddir>/sysroot/.stamp marks a finished build.
set -eu
B=$(cd "${1:-build}" 2>/dev/null && pwd || { mkdir -p "${1:-build}"; cd "${1:-build}"; pwd; })
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

# fetch <source package>: unpack it into $SRC/<pkg> and print that directory
fetch() {
	pkg=$1
	dir=$SRC/$pkg
	if [ ! -d "$dir" ]; then
		tmp=$SRC/.dl-$pkg
		rm -rf "$tmp"; mkdir -p "$tmp"
		# The newest version first; when a mirror lacks its files (a security
		# update whose sources are not mirrored), the next older one listed.
		ok=0
		for ver in "" $(apt-cache showsrc "$pkg" | sed -n 's/^Version: //p' | sort -ruV); do
			rm -f "$tmp"/*
			if ( cd "$tmp" && apt-get source -q --download-only "$pkg${ver:+=$ver}" >&2 ); then
				ok=1; break
			fi
			echo "deps: $pkg${ver:+ $ver}: source not available, trying an older version" >&2
		done
		[ "$ok" = 1 ] || { echo "deps: $pkg: no source version could be downloaded" >&2; exit 1; }
		dsc=$(ls "$tmp"/*.dsc | head -n 1)
		dpkg-source --no-check -x "$dsc" "$tmp/src" >&2
		mv "$tmp/src" "$dir"
		ver=$(cd "$dir" && dpkg-parsechangelog -S Version)
		echo "$pkg $ver" > "$dir/.netinit-version"
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
( cd "$d" && make -j"$JOBS" -C library CC=musl-gcc CFLAGS="$CFLAGS_BASE -I../include" static >&2 &&
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
	--disable-gopher --disable-mqtt --disable-manual --disable-ntlm --disable-ntlm-wb \
	--disable-alt-svc --disable-hsts --disable-netrc --disable-docs \
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
