UNIT_TESTS += aoe
unit_aoe_SRCS := tests/unit/test_aoe.c blockdev/aoe.c
