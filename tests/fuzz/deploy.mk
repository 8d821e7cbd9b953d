FUZZ_TARGETS += deploy
fuzz_deploy_SRCS := tests/fuzz/fuzz_deploy.c init/deploy.c init/reap.c blockdev/part.c overlay/probe.c
