FUZZ_TARGETS += oci_path
fuzz_oci_path_SRCS := tests/fuzz/fuzz_oci_path.c oci/pathcheck.c
