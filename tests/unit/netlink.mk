UNIT_TESTS += netlink
unit_netlink_SRCS := tests/unit/test_netlink.c util/netlink.c
