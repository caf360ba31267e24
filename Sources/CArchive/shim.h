#include <archive.h>
#include <archive_entry.h>

/* libarchive's file-type macros are casts, which Swift does not import: typed copies. */
static const unsigned int CARCHIVE_AE_IFREG = AE_IFREG;
static const unsigned int CARCHIVE_AE_IFDIR = AE_IFDIR;
static const unsigned int CARCHIVE_AE_IFLNK = AE_IFLNK;
