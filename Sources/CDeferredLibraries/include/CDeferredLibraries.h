#ifndef EDGEPACK_DEFERRED_LIBRARIES_H
#define EDGEPACK_DEFERRED_LIBRARIES_H

/*
 * libcurl and libarchive, loaded the first time edgepack calls into them rather than when the process starts.
 * Linked normally, their dependency trees (GnuTLS, Kerberos, LDAP, libxml2, ...) cost every command about 5 ms
 * of start-up, which commands that never touch the network or a tar (digest, --version, --help) paid for
 * nothing. The headers still come from the CCurl and CArchive system-library modules; this target defines the
 * functions edgepack calls, each forwarding to the library's own.
 */

/* A library opened once (at first use) by its soname. */
struct edgepack_deferred_library {
    const char *soname;
    const char *package; /* what to install when it is missing, for the one-line error */
    void *handle;
};

/* The address of `symbol` in `library`, opening it first if need be. When the library or the symbol is missing
 * it prints one line naming what to install and exits: there is nothing a caller could do instead. */
void *edgepack_deferred_symbol(struct edgepack_deferred_library *library, const char *symbol);

#endif
