UNIT_TESTS += netenv
unit_netenv_SRCS := tests/unit/test_netenv.c net/env.c util/shquote.c net/ipconf.c net/ifnames.c
