UNIT_TESTS += kairos
unit_kairos_SRCS := tests/unit/test_kairos.c kairos/kairos.c kairos/stage.c cmdline/cmdline.c util/reap.c
unit_kairos_LIBS := -lpthread
