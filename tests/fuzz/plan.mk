FUZZ_TARGETS += plan
fuzz_plan_SRCS := tests/fuzz/fuzz_plan.c init/plan.c init/cmdline.c net/ipconf.c
