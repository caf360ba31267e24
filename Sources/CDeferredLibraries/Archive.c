/* The libarchive functions edgepack calls, loaded from libarchive.so.13 at first use. */
#include <archive.h>
#include <archive_entry.h>

#include "Forwarding.h"

static struct edgepack_deferred_library archive = {"libarchive.so.13", "libarchive (Debian and Ubuntu: libarchive13)", 0};

#define A struct archive *a
#define E struct archive_entry *e

EDGEPACK_FORWARD(archive, const char *, archive_error_string, (A), (a))

EDGEPACK_FORWARD(archive, struct archive_entry *, archive_entry_new, (void), ())
EDGEPACK_FORWARD_VOID(archive, archive_entry_free, (E), (e))
EDGEPACK_FORWARD(archive, const char *, archive_entry_pathname, (E), (e))
EDGEPACK_FORWARD(archive, const char *, archive_entry_hardlink, (E), (e))
EDGEPACK_FORWARD(archive, const char *, archive_entry_symlink, (E), (e))
EDGEPACK_FORWARD(archive, __LA_MODE_T, archive_entry_filetype, (E), (e))
EDGEPACK_FORWARD(archive, __LA_MODE_T, archive_entry_perm, (E), (e))
EDGEPACK_FORWARD(archive, la_int64_t, archive_entry_size, (E), (e))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_filetype, (E, unsigned int type), (e, type))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_perm, (E, __LA_MODE_T perm), (e, perm))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_uid, (E, la_int64_t uid), (e, uid))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_gid, (E, la_int64_t gid), (e, gid))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_size, (E, la_int64_t size), (e, size))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_mtime, (E, time_t seconds, long nanoseconds), (e, seconds, nanoseconds))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_pathname, (E, const char *path), (e, path))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_pathname_utf8, (E, const char *path), (e, path))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_hardlink, (E, const char *target), (e, target))
EDGEPACK_FORWARD_VOID(archive, archive_entry_set_symlink_utf8, (E, const char *target), (e, target))

EDGEPACK_FORWARD(archive, struct archive *, archive_read_new, (void), ())
EDGEPACK_FORWARD(archive, int, archive_read_support_filter_all, (A), (a))
EDGEPACK_FORWARD(archive, int, archive_read_support_format_tar, (A), (a))
EDGEPACK_FORWARD(archive, int, archive_read_open_filename, (A, const char *path, size_t block), (a, path, block))
EDGEPACK_FORWARD(archive, int, archive_read_next_header, (A, struct archive_entry **entry), (a, entry))
EDGEPACK_FORWARD(archive, int, archive_read_data_block, (A, const void **buffer, size_t *size, la_int64_t *offset),
                 (a, buffer, size, offset))
EDGEPACK_FORWARD(archive, int, archive_read_free, (A), (a))

EDGEPACK_FORWARD(archive, struct archive *, archive_write_new, (void), ())
EDGEPACK_FORWARD(archive, int, archive_write_set_format_pax_restricted, (A), (a))
EDGEPACK_FORWARD(archive, int, archive_write_add_filter_gzip, (A), (a))
EDGEPACK_FORWARD(archive, int, archive_write_set_filter_option, (A, const char *module, const char *option, const char *value),
                 (a, module, option, value))
EDGEPACK_FORWARD(archive, int, archive_write_set_bytes_per_block, (A, int bytes), (a, bytes))
EDGEPACK_FORWARD(archive, int, archive_write_open,
                 (A, void *context, archive_open_callback *open, archive_write_callback *write, archive_close_callback *close),
                 (a, context, open, write, close))
EDGEPACK_FORWARD(archive, int, archive_write_header, (A, E), (a, e))
EDGEPACK_FORWARD(archive, la_ssize_t, archive_write_data, (A, const void *data, size_t size), (a, data, size))
EDGEPACK_FORWARD(archive, la_ssize_t, archive_write_data_block, (A, const void *data, size_t size, la_int64_t offset),
                 (a, data, size, offset))
EDGEPACK_FORWARD(archive, int, archive_write_finish_entry, (A), (a))
EDGEPACK_FORWARD(archive, int, archive_write_fail, (A), (a))
EDGEPACK_FORWARD(archive, int, archive_write_close, (A), (a))
EDGEPACK_FORWARD(archive, int, archive_write_free, (A), (a))

EDGEPACK_FORWARD(archive, struct archive *, archive_write_disk_new, (void), ())
EDGEPACK_FORWARD(archive, int, archive_write_disk_set_options, (A, int flags), (a, flags))
