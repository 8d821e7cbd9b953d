UNIT_TESTS += nbdspec
unit_nbdspec_SRCS := tests/unit/test_nbdspec.c blockdev/nbdspec.c
