UNIT_TESTS += nbd
unit_nbd_SRCS := tests/unit/test_nbd.c blockdev/nbd.c
