FUZZ_TARGETS += curlopts
fuzz_curlopts_SRCS := tests/fuzz/fuzz_curlopts.c fetch/curlopts.c fetch/opts.c fetch/progress.c
