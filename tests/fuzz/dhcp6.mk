FUZZ_TARGETS += dhcp6
fuzz_dhcp6_SRCS := tests/fuzz/fuzz_dhcp6.c net/dhcp6.c net/dhcp6c.c
