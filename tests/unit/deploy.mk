UNIT_TESTS += deploy
unit_deploy_SRCS := tests/unit/test_deploy.c init/deploy.c init/reap.c blockdev/part.c overlay/probe.c
