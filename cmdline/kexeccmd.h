/* kexeccmd: the command line bootc.kexec gives the image's kernel. Pure: a string in, a
 * string out. */
#ifndef NETINIT_KEXECCMD_H
#define NETINIT_KEXECCMD_H
#include <stdbool.h>
#include <stddef.h>

#define KEXEC_REUSE_ROOT "bootc-live:/root.oci" /* where the re-packed archive is in the next initramfs */

/*
 * From the current command line cur: every bootc.kexec* parameter is dropped (bootc-live's
 * rule). With reuse (bootc.kexec.reuse-image=1) every root= and netroot= is dropped too and
 * "bootc.kexec.reuse-image=0 root=bootc-live:/root.oci" appended, so exactly one root= names
 * the archive in the next initramfs; label non-NULL replaces any bootclabel= with
 * bootclabel=<label> (the name a registry pull's archive carries). Values with blanks keep
 * their quotes; a '"' inside a key or value (which the kernel's syntax cannot escape) is
 * dropped, so the result always splits back into the same parameters. 0, -ENOSPC (out
 * too small) or -ENOMEM.
 */
int kexec_cmdline_build(const char *cur, bool reuse, const char *label, char *out, size_t len);

#endif
