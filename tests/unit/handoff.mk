UNIT_TESTS += handoff
unit_handoff_SRCS := tests/unit/test_handoff.c net/handoff.c
