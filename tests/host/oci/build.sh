# Build the host unpacker: tests/host/oci/build.sh OUT (musl-gcc, static, against build/sysroot).
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:-$root/build/host/ociunpack}
sys=${SYSROOT:-$root/build/sysroot}
mkdir -p "$(dirname "$out")"
musl-gcc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I"$root" -isystem "$sys/include" -static \
	-o "$out" "$root/tests/host/oci/ociunpack.c" "$root"/oci/*.c "$root"/fetch/*.c "$root"/crypto/*.c "$root"/util/*.c \
	-L"$sys/lib" -lcurl -lmbedtls -lmbedx509 -lmbedcrypto -larchive -lzstd -llzma -lz -lcjson -lpthread
