FUZZ_TARGETS += cpiolist
fuzz_cpiolist_SRCS := tests/fuzz/fuzz_cpiolist.c tools/cpiolist.c
