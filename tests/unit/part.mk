UNIT_TESTS += part
unit_part_SRCS := tests/unit/test_part.c blockdev/part.c
