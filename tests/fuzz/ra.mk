FUZZ_TARGETS += ra
fuzz_ra_SRCS := tests/fuzz/fuzz_ra.c net/ra.c net/dhcp.c
