FUZZ_TARGETS += dhcp
fuzz_dhcp_SRCS := tests/fuzz/fuzz_dhcp.c net/dhcp.c net/dhcpc.c
