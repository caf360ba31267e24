/* The libcurl functions edgepack calls, loaded from libcurl.so.4 at first use. */
#define CURL_DISABLE_TYPECHECK /* curl_easy_setopt is defined here, so it must not be a macro */
#include <curl/curl.h>
#include <stdarg.h>

#include "Forwarding.h"

static struct edgepack_deferred_library curl = {"libcurl.so.4", "libcurl (Debian and Ubuntu: libcurl4)", 0};

EDGEPACK_FORWARD(curl, CURLcode, curl_global_init, (long flags), (flags))
EDGEPACK_FORWARD(curl, CURL *, curl_easy_init, (void), ())
EDGEPACK_FORWARD(curl, CURLcode, curl_easy_perform, (CURL *handle), (handle))
EDGEPACK_FORWARD_VOID(curl, curl_easy_reset, (CURL *handle), (handle))
EDGEPACK_FORWARD_VOID(curl, curl_easy_cleanup, (CURL *handle), (handle))
EDGEPACK_FORWARD(curl, const char *, curl_easy_strerror, (CURLcode code), (code))
EDGEPACK_FORWARD(curl, struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *data), (list, data))
EDGEPACK_FORWARD_VOID(curl, curl_slist_free_all, (struct curl_slist *list), (list))

/* Variadic, with one argument whose type libcurl encodes in the option's number (CURLOPTTYPE_*). */
CURLcode curl_easy_setopt(CURL *handle, CURLoption option, ...) {
    __typeof__(&curl_easy_setopt) setopt = EDGEPACK_RESOLVED(curl, curl_easy_setopt);
    va_list arguments;
    va_start(arguments, option);
    CURLcode result;
    if (option < CURLOPTTYPE_OBJECTPOINT) result = setopt(handle, option, va_arg(arguments, long));
    else if (option < CURLOPTTYPE_FUNCTIONPOINT) result = setopt(handle, option, va_arg(arguments, void *));
    else if (option < CURLOPTTYPE_OFF_T) result = setopt(handle, option, va_arg(arguments, void (*)(void)));
    else if (option < CURLOPTTYPE_BLOB) result = setopt(handle, option, va_arg(arguments, curl_off_t));
    else result = setopt(handle, option, va_arg(arguments, void *));
    va_end(arguments);
    return result;
}

/* Variadic, with one argument that is always a pointer (to a long, a curl_off_t, a string, ...). */
CURLcode curl_easy_getinfo(CURL *handle, CURLINFO info, ...) {
    va_list arguments;
    va_start(arguments, info);
    CURLcode result = EDGEPACK_RESOLVED(curl, curl_easy_getinfo)(handle, info, va_arg(arguments, void *));
    va_end(arguments);
    return result;
}
