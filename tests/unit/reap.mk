UNIT_TESTS += reap
unit_reap_SRCS := tests/unit/test_reap.c util/reap.c
unit_reap_LIBS := -lpthread
