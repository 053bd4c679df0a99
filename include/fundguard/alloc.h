/*
 * fundguard/alloc.h — the one allocation chokepoint.
 *
 * Every allocation in libfundguard goes through fg_malloc/fg_calloc/fg_realloc_array/fg_free, which
 * dispatch through a swappable allocator. Production uses libc; tests install a failing allocator
 * (fail the Nth allocation) so every error path runs. The allocator is process-wide: set it before
 * any other thread uses the library.
 */
#ifndef FUNDGUARD_ALLOC_H
#define FUNDGUARD_ALLOC_H

#include <stddef.h>

typedef struct fg_allocator {
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t size);
    void (*free)(void *ctx, void *ptr);
    void *ctx;
} fg_allocator_t;

/* Install an allocator (NULL restores libc). */
void fg_set_allocator(const fg_allocator_t *a);

/* NULL on failure (or when size is 0). Owned by the caller; release with fg_free. */
void *fg_malloc(size_t size);
/* Zeroed n*size bytes; NULL on overflow or failure. */
void *fg_calloc(size_t n, size_t size);
/* Resize to n*size bytes; NULL on overflow or failure (ptr is then untouched). */
void *fg_realloc_array(void *ptr, size_t n, size_t size);
/* NULL allowed. */
void fg_free(void *ptr);
/* Copy of s[0..n) plus a NUL; NULL on failure. */
char *fg_strndup(const char *s, size_t n);

/* Test support: make the allocation after `n` more succeed-calls fail (n < 0: never fail).
 * Returns how many allocations were made since the last call. */
void fg_alloc_fail_after(long n);
long fg_alloc_count(void);

#endif
