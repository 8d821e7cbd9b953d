UNIT_TESTS += devwait
unit_devwait_SRCS := tests/unit/test_devwait.c blockdev/devwait.c fs/probe.c
unit_devwait_LIBS := -lpthread
