# the plan with the same sources as tests/unit/plan.mk (recursive: plan.mk is read after this file)
UNIT_TESTS += deploy_plan
unit_deploy_plan_SRCS = tests/unit/test_deploy_plan.c $(filter-out tests/unit/test_plan.c,$(unit_plan_SRCS))
unit_deploy_plan_LIBS = $(unit_plan_LIBS)
