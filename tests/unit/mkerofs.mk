UNIT_TESTS += mkerofs
unit_mkerofs_SRCS := tests/unit/test_mkerofs.c fs/mkerofs.c
