FUZZ_TARGETS += nbd
fuzz_nbd_SRCS := tests/fuzz/fuzz_nbd.c blockdev/nbd.c
