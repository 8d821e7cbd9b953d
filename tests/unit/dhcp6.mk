UNIT_TESTS += dhcp6
unit_dhcp6_SRCS := tests/unit/test_dhcp6.c net/dhcp6.c net/dhcp6c.c net/dhcp6run.c
