FUZZ_TARGETS += probe
fuzz_probe_SRCS := tests/fuzz/fuzz_probe.c fs/probe.c blockdev/devwait.c
