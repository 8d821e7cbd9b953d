# Build configuration; override on the command line (make KVER=... MODULES+=...).
BUILD      ?= build
SYSROOT    ?= $(BUILD)/sysroot
MUSLCC     ?= musl-gcc
HOSTCC     ?= gcc
FUZZCC     ?= clang
KVER       ?= $(shell ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)
KDIR       ?= /lib/modules/$(KVER)
# (a 128 KiB window: the kernel keeps the window of the initramfs decompressor, 8 MiB at -19, from
# about 512 MiB of RAM up; the modules are compressed already, so a larger one gains 10 KB)
COMPRESS   ?= zstd -19 -q -T1 --zstd=wlog=17 -c
# MODCOMPRESS: zstd packs each module as .ko.zst (netinit decompresses what it loads); none: plain .ko
MODCOMPRESS ?= zstd
CFLAGS_COMMON := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
	-D_GNU_SOURCE -I.
CFLAGS     ?= -Os -ffunction-sections -fdata-sections
LDFLAGS    ?= -static -Wl,--gc-sections -s
LIBS       := -lcurl -lmbedtls -lmbedx509 -lmbedcrypto -larchive -lzstd -llzma -lz -lcjson -lpthread
UNIT_CFLAGS := -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -DNETINIT_FUZZ
