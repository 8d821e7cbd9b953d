UNIT_TESTS += oci_layer
unit_oci_layer_SRCS := tests/unit/test_oci_layer.c oci/layer.c oci/pathcheck.c oci/manifest.c fetch/sha256.c
unit_oci_layer_LIBS := -larchive -lcjson
