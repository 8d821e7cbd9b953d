UNIT_TESTS += archwrite
unit_archwrite_SRCS := tests/unit/test_archwrite.c oci/archwrite.c oci/tarindex.c oci/manifest.c
unit_archwrite_LIBS := -lcjson
