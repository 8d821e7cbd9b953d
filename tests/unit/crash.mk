UNIT_TESTS += crash
unit_crash_SRCS := tests/unit/test_crash.c init/crash.c init/log.c
unit_crash_LIBS := -lpthread
