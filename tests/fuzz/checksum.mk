FUZZ_TARGETS += checksum
fuzz_checksum_SRCS := tests/fuzz/fuzz_checksum.c fetch/checksum.c fetch/opts.c fetch/progress.c
