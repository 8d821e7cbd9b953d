UNIT_TESTS += cpiolist
unit_cpiolist_SRCS := tests/unit/test_cpiolist.c tools/cpiolist.c
