UNIT_TESTS += ifnames
unit_ifnames_SRCS := tests/unit/test_ifnames.c net/ifnames.c
