FUZZ_TARGETS += probe
fuzz_probe_SRCS := tests/fuzz/fuzz_probe.c overlay/probe.c blockdev/devwait.c
