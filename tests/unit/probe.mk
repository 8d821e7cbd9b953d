UNIT_TESTS += probe
unit_probe_SRCS := tests/unit/test_probe.c fs/probe.c
