UNIT_TESTS += log
unit_log_SRCS := tests/unit/test_log.c init/log.c
