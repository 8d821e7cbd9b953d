UNIT_TESTS += ipconf
unit_ipconf_SRCS := tests/unit/test_ipconf.c net/ipconf.c net/ifnames.c
