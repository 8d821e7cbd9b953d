UNIT_TESTS += plan
unit_plan_SRCS := tests/unit/test_plan.c init/plan.c kairos/kairos.c oci/mirrors.c cmdline/cmdline.c net/ipconf.c net/ifnames.c fetch/opts.c fetch/curlopts.c fetch/checksum.c fetch/progress.c fetch/dollycfg.c crypto/sha256.c blockdev/nbdspec.c
unit_plan_LIBS := -lcjson
