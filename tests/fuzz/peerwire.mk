FUZZ_TARGETS += peerwire
fuzz_peerwire_SRCS := tests/fuzz/fuzz_peerwire.c fetch/peerwire.c
