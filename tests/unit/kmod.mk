UNIT_TESTS += kmod
unit_kmod_SRCS := tests/unit/test_kmod.c kmod/kmod.c
unit_kmod_LIBS := -lzstd -llzma -lpthread
