FUZZ_TARGETS += netlink
fuzz_netlink_SRCS := tests/fuzz/fuzz_netlink.c util/netlink.c
