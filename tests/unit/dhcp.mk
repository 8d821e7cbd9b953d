UNIT_TESTS += dhcp
unit_dhcp_SRCS := tests/unit/test_dhcp.c net/dhcp.c net/dhcpc.c
