# The root stage's flow (init/root.c, init/bootc.c, init/download.c) run unprivileged:
# the steps that fail before touching the machine report -errno and a stage_err instead
# of dying. It links the whole product but init/main.c, so it is built with musl only.
UNIT_MUSL_TESTS += rootflow
unit_rootflow_SRCS := tests/unit/test_rootflow.c $(filter-out init/main.c,$(SRCS))
unit_rootflow_MUSL_LIBS := $(LIBS)
