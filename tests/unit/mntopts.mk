UNIT_TESTS += mntopts
unit_mntopts_SRCS := tests/unit/test_mntopts.c fs/mntopts.c
