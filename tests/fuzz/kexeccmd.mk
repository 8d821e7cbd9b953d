FUZZ_TARGETS += kexeccmd
fuzz_kexeccmd_SRCS := tests/fuzz/fuzz_kexeccmd.c init/kexeccmd.c init/cmdline.c
