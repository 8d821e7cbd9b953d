/* shutdown: the last step of a network root's shutdown, as dracut's 99shutdown.
 *
 * Before switch_root, shutdown_install() copies netinit itself to /run/initramfs/shutdown
 * (a static binary needs nothing else). systemd's shutdown, once it has stopped everything
 * and remounted the root read-only, pivots into /run/initramfs (the old root becomes
 * /oldroot) and runs /shutdown <verb> as PID 1; main() sends that here. shutdown_main():
 * unmount everything at and below /oldroot (deepest first, several passes; what stays
 * mounted is remounted read-only), sync, end the remaining processes (the NBD reconnect
 * supervisor, which systemd spares for its '@'), disconnect every NBD device once nothing
 * holds it (the server gets NBD_CMD_DISC), then reboot, power off, halt or kexec as the verb
 * says (anything else: reboot, as dracut). Never returns. */
#ifndef NETINIT_INIT_SHUTDOWN_H
#define NETINIT_INIT_SHUTDOWN_H

#include <stddef.h>

#define SHUTDOWN_DIR "/run/initramfs"

/* Copy /proc/self/exe to SHUTDOWN_DIR/shutdown (mode 0755) and create the directories the
 * pivot needs. 0 or -errno; err names the step. */
int shutdown_install(char *err, size_t errlen);

/* As /shutdown, PID 1 after systemd-shutdown's pivot: argv[1] is the verb. */
_Noreturn void shutdown_main(int argc, char **argv);

#endif
