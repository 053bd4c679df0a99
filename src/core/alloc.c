/* alloc.c — the allocation chokepoint, with a fault injector for tests. */
#include "core/compat.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"

static void *libc_malloc(void *ctx, size_t size)
{
    FG_UNUSED(ctx);
    return malloc(size);
}

static void *libc_realloc(void *ctx, void *ptr, size_t size)
{
    FG_UNUSED(ctx);
    return realloc(ptr, size);
}

static void libc_free(void *ctx, void *ptr)
{
    FG_UNUSED(ctx);
    free(ptr);
}

static fg_allocator_t allocator = {libc_malloc, libc_realloc, libc_free, NULL};
static _Atomic long fail_after = -1; /* allocations left before one fails; < 0 never */
static _Atomic long counter;

void fg_set_allocator(const fg_allocator_t *a)
{
    if (a == NULL) {
        allocator = (fg_allocator_t){libc_malloc, libc_realloc, libc_free, NULL};
        return;
    }
    allocator = *a;
}

void fg_alloc_fail_after(long n)
{
    atomic_store(&fail_after, n);
    atomic_store(&counter, 0);
}

long fg_alloc_count(void)
{
    return atomic_load(&counter);
}

/* 1 when this allocation is to fail (fault injection). */
static int inject_failure(void)
{
    atomic_fetch_add(&counter, 1);
    long left = atomic_load(&fail_after);
    if (left < 0)
        return 0;
    if (left == 0)
        return 1;
    atomic_fetch_sub(&fail_after, 1);
    return 0;
}

void *fg_malloc(size_t size)
{
    if (size == 0 || inject_failure())
        return NULL;
    return allocator.malloc(allocator.ctx, size);
}

void *fg_calloc(size_t n, size_t size)
{
    if (n != 0 && size > SIZE_MAX / n)
        return NULL;
    void *p = fg_malloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

void *fg_realloc_array(void *ptr, size_t n, size_t size)
{
    if (n != 0 && size > SIZE_MAX / n)
        return NULL;
    if (n * size == 0 || inject_failure())
        return NULL;
    return allocator.realloc(allocator.ctx, ptr, n * size);
}

void fg_free(void *ptr)
{
    if (ptr != NULL)
        allocator.free(allocator.ctx, ptr);
}

char *fg_strndup(const char *s, size_t n)
{
    char *p = fg_malloc(n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
