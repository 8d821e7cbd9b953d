FUZZ_TARGETS += kmod
fuzz_kmod_SRCS := tests/fuzz/fuzz_kmod.c kmod/kmod.c
fuzz_kmod_LIBS := -lzstd -llzma -lpthread
