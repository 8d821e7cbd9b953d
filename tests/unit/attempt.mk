UNIT_TESTS += attempt
unit_attempt_SRCS := tests/unit/test_attempt.c fetch/attempt.c
