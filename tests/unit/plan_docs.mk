UNIT_TESTS += plan_docs
unit_plan_docs_SRCS := tests/unit/test_plan_docs.c init/plan.c kairos/kairos.c oci/mirrors.c cmdline/cmdline.c net/ipconf.c net/ifnames.c fetch/opts.c fetch/curlopts.c fetch/checksum.c fetch/progress.c fetch/dollycfg.c crypto/sha256.c blockdev/nbdspec.c
unit_plan_docs_LIBS := -lcjson
