UNIT_TESTS += kexec
unit_kexec_SRCS := tests/unit/test_kexec.c init/kexeccmd.c init/cmdline.c util/newc.c
