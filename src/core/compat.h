/* compat.h — included first by every source file (git's rule): feature macros, then nothing else.
 */
#ifndef FG_CORE_COMPAT_H
#define FG_CORE_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#define FG_UNUSED(x)    ((void)(x))
#define FG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* SQLite's ALWAYS/NEVER: conditions that cannot happen, checked in debug builds only. */
#ifdef NDEBUG
#define ALWAYS(x) (x)
#define NEVER(x)  (x)
#else
#include <assert.h>
#define ALWAYS(x) ((x) ? 1 : (assert(0), 0))
#define NEVER(x)  ((x) ? (assert(0), 1) : 0)
#endif

#endif
