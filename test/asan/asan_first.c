/* Preloaded after the ASan runtime into the postmaster of
 * scripts/asan_regress.sh. PostgreSQL is not built with ASan, so the runtime
 * comes in by LD_PRELOAD, and the dynamic linker runs its initialiser after
 * those of postgres's own libraries. Some of them call bindtextdomain() or
 * newlocale() from their initialisers (libgpg-error, p11-kit); glibc holds a
 * lock of its locale state there and allocates, the allocation starts the
 * ASan runtime, and the runtime's start-up touches the same lock (a lock
 * already held by the thread fails with EDEADLK, the unlock after it then
 * corrupts the lock): the process hangs later in bindtextdomain(). These two
 * wrappers start the runtime first, outside glibc's lock, then call glibc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libintl.h>
#include <locale.h>

static void start_asan(void) {
    void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "__asan_init");
    if (init) init();   /* does nothing once the runtime runs */
}

locale_t newlocale(int mask, const char* name, locale_t base) {
    static locale_t (*next)(int, const char*, locale_t);
    start_asan();
    if (!next) next = (locale_t (*)(int, const char*, locale_t))dlsym(RTLD_NEXT, "newlocale");
    return next(mask, name, base);
}

char* bindtextdomain(const char* domain, const char* dir) {
    static char* (*next)(const char*, const char*);
    start_asan();
    if (!next) next = (char* (*)(const char*, const char*))dlsym(RTLD_NEXT, "bindtextdomain");
    return next(domain, dir);
}
