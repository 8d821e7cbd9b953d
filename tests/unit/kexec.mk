UNIT_TESTS += kexec
unit_kexec_SRCS := tests/unit/test_kexec.c cmdline/kexeccmd.c cmdline/cmdline.c util/newc.c
