FUZZ_TARGETS += plan
fuzz_plan_SRCS := tests/fuzz/fuzz_plan.c init/plan.c oci/mirrors.c cmdline/cmdline.c net/ipconf.c net/ifnames.c fetch/opts.c fetch/curlopts.c fetch/checksum.c fetch/progress.c blockdev/nbdspec.c
