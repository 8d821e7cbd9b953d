#!/bin/sh
# Build fetchtool (musl, static, against the sysroot) into $1 (default build/fetchtool).
set -eu
root=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
out=${1:-$root/build/fetch/fetchtool}
cd "$root"
[ -f build/sysroot/.stamp ] || { echo "build/sysroot not ready" >&2; exit 77; }
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046
musl-gcc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Wno-unused-parameter -I. -isystem build/sysroot/include \
	-static -o "$out.tmp" tests/host/fetch/fetchtool.c $(ls fetch/*.c crypto/*.c) util/daemon.c \
	-Lbuild/sysroot/lib -lcurl -lmbedtls -lmbedx509 -lmbedcrypto -lzstd -llzma -lz -lpthread
mv "$out.tmp" "$out"
