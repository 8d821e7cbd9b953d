UNIT_TESTS += mountlist
unit_mountlist_SRCS := tests/unit/test_mountlist.c fs/mountlist.c
