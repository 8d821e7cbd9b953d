UNIT_TESTS += deploy
unit_deploy_SRCS := tests/unit/test_deploy.c blockdev/deploy.c util/reap.c blockdev/part.c fs/probe.c
