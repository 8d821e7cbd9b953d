UNIT_TESTS += fetch_opts
unit_fetch_opts_SRCS := tests/unit/test_fetch_opts.c fetch/opts.c fetch/progress.c
