#ifndef EDGEPACK_FORWARDING_H
#define EDGEPACK_FORWARDING_H

#include "CDeferredLibraries.h"

/* The resolved address of NAME in LIBRARY, looked up once; typed as the header declares NAME. */
#define EDGEPACK_RESOLVED(LIBRARY, NAME)                                                              \
    ({                                                                                                \
        static __typeof__(&NAME) resolved;                                                            \
        __typeof__(&NAME) function = __atomic_load_n(&resolved, __ATOMIC_ACQUIRE);                    \
        if (!function) {                                                                              \
            function = (__typeof__(&NAME))edgepack_deferred_symbol(&LIBRARY, #NAME);                  \
            __atomic_store_n(&resolved, function, __ATOMIC_RELEASE);                                  \
        }                                                                                             \
        function;                                                                                     \
    })

/* Defines NAME with the header's PARAMETERS, calling the library's NAME with ARGUMENTS. */
#define EDGEPACK_FORWARD(LIBRARY, RESULT, NAME, PARAMETERS, ARGUMENTS)                                \
    RESULT NAME PARAMETERS { return EDGEPACK_RESOLVED(LIBRARY, NAME) ARGUMENTS; }

#define EDGEPACK_FORWARD_VOID(LIBRARY, NAME, PARAMETERS, ARGUMENTS)                                   \
    void NAME PARAMETERS { EDGEPACK_RESOLVED(LIBRARY, NAME) ARGUMENTS; }

#endif
