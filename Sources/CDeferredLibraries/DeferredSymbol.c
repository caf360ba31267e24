#include "CDeferredLibraries.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t opening = PTHREAD_MUTEX_INITIALIZER;

static void give_up(const struct edgepack_deferred_library *library, const char *what) {
    fprintf(stderr, "edgepack: error: cannot load %s (%s); install %s\n", library->soname, what, library->package);
    exit(1);
}

void *edgepack_deferred_symbol(struct edgepack_deferred_library *library, const char *symbol) {
    pthread_mutex_lock(&opening);
    if (!library->handle) library->handle = dlopen(library->soname, RTLD_NOW | RTLD_LOCAL);
    void *handle = library->handle;
    pthread_mutex_unlock(&opening);
    if (!handle) give_up(library, dlerror());
    void *address = dlsym(handle, symbol);
    if (!address) give_up(library, symbol);
    return address;
}
