UNIT_TESTS += curlopts
unit_curlopts_SRCS := tests/unit/test_curlopts.c fetch/curlopts.c fetch/opts.c fetch/progress.c
