FUZZ_TARGETS += dolly
fuzz_dolly_SRCS := tests/fuzz/fuzz_dolly.c fetch/dollycfg.c crypto/sha256.c
