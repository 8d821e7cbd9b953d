# netinit: one static /init for network-booting initramfs images.
#   make            build/init (builds the musl dependency sysroot first if missing)
#   make deps       the dependency sysroot only
#   make initramfs  build/initramfs.img for $(KVER)
#   make check      unit + host integration + e2e (QEMU) tests
#   make demo       boot a sample root in QEMU and show the console
#   make demo-pxe   the same root through tools/netinit-serve, SeaBIOS's PXE and pxelinux (root)
#   make fuzz       build the libFuzzer targets (FUZZ_SECONDS=N make fuzz-run runs them)
include config.mk
.DELETE_ON_ERROR:
.PHONY: all deps initramfs check unit e2e hostcheck demo demo-pxe fuzz fuzz-run bench bench-fleet clean distclean setup

# Library modules (everything but init/main.c is linkable into tests and fuzzers).
MODULE_DIRS := init net fetch blockdev overlay oci fs kmod kairos cmdline crypto util
SRCS := $(foreach d,$(MODULE_DIRS),$(wildcard $(d)/*.c))
OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(SRCS))
STAMP := $(SYSROOT)/.stamp

all: $(BUILD)/init

setup:
	@if [ "$$(id -u)" = 0 ]; then sh tools/setup-host.sh; else sudo sh tools/setup-host.sh; fi

# The sysroot is rebuilt when the script that builds it or a patch it applies changes,
# and every object with it: -MMD does not record the sysroot's headers (-isystem).
$(STAMP): tools/build-deps.sh $(wildcard tools/patches/*/*.patch)
	$(MAKE) setup
	sh tools/build-deps.sh $(BUILD)
deps: $(STAMP)

$(BUILD)/obj/%.o: %.c $(STAMP)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(CFLAGS_COMMON) $(CFLAGS) -isystem $(SYSROOT)/include -MMD -MP -c $< -o $@

$(BUILD)/init: $(OBJS) $(STAMP)
	$(MUSLCC) $(LDFLAGS) -o $@ $(OBJS) -L$(SYSROOT)/lib $(LIBS)

-include $(OBJS:.o=.d)

# ---- initramfs -------------------------------------------------------------
MODULES_DEFAULT := virtio_pci virtio_net e1000 e1000e igb ixgbe r8169 8021q bonding \
	virtio_blk virtio_scsi ahci ata_piix nvme sd_mod sr_mod \
	squashfs overlay loop isofs udf brd zram nbd aoe erofs ext4 xfs af_packet
MODULES ?=
EXTRA_LIST ?=
$(BUILD)/mkcpio: tools/mkcpio.c tools/cpiolist.c tools/cpiolist.h util/newc.h util/errbuf.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 -Wall -Wextra -I. -o $@ tools/mkcpio.c tools/cpiolist.c

# the EROFS writer as a host command (host tests, e2e reference images, bench/)
$(BUILD)/mkerofs: tests/host/erofs/mkerofs-cli.c fs/mkerofs.c fs/mkerofs.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 $(CFLAGS_COMMON) -o $@ tests/host/erofs/mkerofs-cli.c fs/mkerofs.c

# MKFS=ext4 (xfs, btrfs) adds mkfs.<fs> and its libraries, for rd.live.overlay.persistent
MKFS ?=
MKFS_LIST := $(if $(strip $(MKFS)),$(BUILD)/mkfs.list)
$(BUILD)/mkfs.list: tools/mkfs-list.sh FORCE
	@mkdir -p $(dir $@)
	sh tools/mkfs-list.sh $(MKFS) > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# OCI=root.oci embeds an oci-archive as /root.oci (root=bootc-live:/root.oci)
OCI ?=
$(BUILD)/initramfs.list: initramfs-list tools/mklist.sh $(BUILD)/init $(MKFS_LIST) $(OCI) FORCE
	sh tools/mklist.sh --kdir $(KDIR) --init $(BUILD)/init --base initramfs-list \
		--modules "$(MODULES_DEFAULT) $(MODULES) $(if $(filter btrfs,$(MKFS)),btrfs)" \
		--extra "$(EXTRA_LIST) $(MKFS_LIST)" --outdir $(BUILD) --compress $(MODCOMPRESS) > $@.tmp
	$(if $(OCI),printf 'file /root.oci %s 0644 0 0\n' '$(abspath $(OCI))' >> $@.tmp)
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/initramfs.img: $(BUILD)/initramfs.list $(BUILD)/mkcpio $(BUILD)/init
	$(BUILD)/mkcpio $(BUILD)/initramfs.list | $(COMPRESS) > $@
	@ls -l $@
initramfs: $(BUILD)/initramfs.img
FORCE:

# ---- tests -----------------------------------------------------------------
# Each tests/unit/<name>.mk adds: UNIT_TESTS += <name> and unit_<name>_SRCS := ...
UNIT_TESTS :=
UNIT_MUSL_TESTS :=
-include $(wildcard tests/unit/*.mk)
UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS))
# Test and fuzz binaries are built from their sources in one command; TEST_DEPS writes the
# headers they include into $@.d (read back below), so a changed header rebuilds them.
# (only headers: the sources are the rule's own prerequisites, and a renamed one must not
# leave a stale .d naming it)
TEST_DEPS = $(HOSTCC) $(CFLAGS_COMMON) -isystem $(SYSROOT)/include -MM -MP -MT $@ $(1) | \
	sed -e 's/ [^ ]*\.c\b//g' -e '/^[^ ]*\.c:/d' > $@.d
define unit_rule
$(BUILD)/unit/test_$(1): $$(unit_$(1)_SRCS)
	@mkdir -p $$(dir $$@)
	@$$(call TEST_DEPS,$$(unit_$(1)_SRCS))
	$(HOSTCC) $(CFLAGS_COMMON) $(UNIT_CFLAGS) -o $$@ $$(unit_$(1)_SRCS) $$(unit_$(1)_LIBS) -lcmocka
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))
# A .mk may add UNIT_MUSL_TESTS += <name> (and unit_<name>_MUSL_LIBS): the same sources are
# also built with musl-gcc -static against the sysroot, the product's libc, as
# build/unit/musl_test_<name> (tests/unit/minicmocka.h stands in for cmocka, -DNETINIT_UNIT_MUSL).
define unit_musl_rule
$(BUILD)/unit/musl_test_$(1): $$(unit_$(1)_SRCS) | $(STAMP)
	@mkdir -p $$(dir $$@)
	@$$(call TEST_DEPS,-DNETINIT_UNIT_MUSL $$(unit_$(1)_SRCS))
	$(MUSLCC) $(CFLAGS_COMMON) -g -O1 -DNETINIT_UNIT_MUSL -isystem $(SYSROOT)/include -static -o $$@ \
		$$(unit_$(1)_SRCS) -L$(SYSROOT)/lib $$(unit_$(1)_MUSL_LIBS)
endef
$(foreach t,$(UNIT_MUSL_TESTS),$(eval $(call unit_musl_rule,$(t))))
UNIT_BINS += $(addprefix $(BUILD)/unit/musl_test_,$(UNIT_MUSL_TESTS))

unit: $(UNIT_BINS)
	sh tests/run-unit.sh $(UNIT_BINS)

e2e: $(BUILD)/initramfs.img $(BUILD)/mkerofs
	bash tests/e2e/run.sh

check:
	$(MAKE) setup
	$(MAKE) all
	NETINIT_BUILD=$(BUILD) MAKE="$(MAKE)" sh tests/check.sh

# Host integration tests (no VM): each tests/host/*.sh
hostcheck: $(BUILD)/init $(BUILD)/mkcpio $(BUILD)/mkerofs
	sh tests/host/run.sh

# Each tests/fuzz/<name>.mk adds: FUZZ_TARGETS += <name> and fuzz_<name>_SRCS := ...
# (and fuzz_<name>_LIBS := -l... for host libraries)
FUZZ_TARGETS :=
-include $(wildcard tests/fuzz/*.mk)
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))
define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): $$(fuzz_$(1)_SRCS)
	@mkdir -p $$(dir $$@)
	@$$(call TEST_DEPS,-DNETINIT_FUZZ $$(fuzz_$(1)_SRCS))
	$(FUZZCC) $(CFLAGS_COMMON) $(FUZZ_CFLAGS) -o $$@ $$(fuzz_$(1)_SRCS) $$(fuzz_$(1)_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))
-include $(addsuffix .d,$(UNIT_BINS) $(FUZZ_BINS))
fuzz: $(FUZZ_BINS)
FUZZ_SECONDS ?= 60
fuzz-run: $(FUZZ_BINS)
	sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

demo: $(BUILD)/initramfs.img
	sh tests/e2e/demo.sh

demo-pxe: $(BUILD)/initramfs.img
	bash tests/e2e/demo-pxe.sh

bench: $(BUILD)/initramfs.img
	sh bench/size.sh $(BUILD)

# minutes, not seconds (FLEET_NS, FLEET_MB, ...: see bench/fleet.sh); needs root
bench-fleet: $(STAMP)
	bash bench/fleet.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/init $(BUILD)/unit $(BUILD)/fuzz $(BUILD)/initramfs.* $(BUILD)/e2e $(BUILD)/results
distclean:
	rm -rf $(BUILD)
