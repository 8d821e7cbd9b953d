UNIT_TESTS += progress
unit_progress_SRCS := tests/unit/test_progress.c fetch/progress.c
