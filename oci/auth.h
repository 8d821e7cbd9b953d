/* auth: the pure parts of registry authentication: the credentials file
 * ("<host[:port]> <user>:<password>" lines, '#' comments) and the WWW-Authenticate
 * challenge (scheme, realm, service, scope), the token service's answer and a registry's
 * error body. */
#ifndef NETINIT_OCI_AUTH_H
#define NETINIT_OCI_AUTH_H
#include <stddef.h>

/* userpass for host from the file's text; -ENOENT if none, -ENAMETOOLONG if it does not fit. */
int oci_auth_lookup(const char *text, const char *host, char *userpass, size_t len);

/* Scheme ("Bearer"/"Basic") and the realm, service and scope parameters; -EINVAL if malformed. */
int oci_www_auth_parse(const char *v, char *scheme, size_t slen, char *realm, size_t rlen, char *service,
		       size_t svlen, char *scope, size_t sclen);

/* A token service's answer ({"token": ...} or {"access_token": ...}) as the header
 * "Authorization: Bearer <token>" (malloc'd into *header); -EACCES when it holds no usable
 * token (missing, empty, with control characters or spaces), -ENOMEM. */
int oci_token_parse(const char *body, size_t len, char **header);

/* A registry's error body ({"errors":[{"code":..,"message":..}]}) as " (CODE: message)"
 * for a message, control characters scrubbed; "" when it says nothing usable. */
void oci_registry_error(const char *body, size_t len, char *out, size_t outlen);

#endif
