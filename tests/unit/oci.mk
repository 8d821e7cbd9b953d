UNIT_TESTS += oci
unit_oci_SRCS := tests/unit/test_oci.c oci/mirrors.c oci/pathcheck.c oci/manifest.c oci/ref.c oci/tarindex.c oci/auth.c
unit_oci_LIBS := -lcjson
