FUZZ_TARGETS += deploy
fuzz_deploy_SRCS := tests/fuzz/fuzz_deploy.c blockdev/deploy.c util/reap.c blockdev/part.c fs/probe.c
