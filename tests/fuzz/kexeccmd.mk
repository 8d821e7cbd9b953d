FUZZ_TARGETS += kexeccmd
fuzz_kexeccmd_SRCS := tests/fuzz/fuzz_kexeccmd.c cmdline/kexeccmd.c cmdline/cmdline.c
