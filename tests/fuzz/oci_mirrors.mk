FUZZ_TARGETS += oci_mirrors
fuzz_oci_mirrors_SRCS := tests/fuzz/fuzz_oci_mirrors.c oci/mirrors.c
