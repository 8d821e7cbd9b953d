UNIT_TESTS += ra
unit_ra_SRCS := tests/unit/test_ra.c net/ra.c net/dhcp.c
