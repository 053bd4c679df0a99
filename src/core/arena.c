/* arena.c — bump allocation in blocks; reset keeps one block for reuse. */
#include "core/compat.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/arena.h"

struct fg_arena_block {
    fg_arena_block_t *next; /* older block */
    size_t size;            /* usable bytes in data */
    size_t used;            /* bytes handed out */
    alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN   alignof(max_align_t)
#define ARENA_DEFAULT (64 * 1024)

void fg_arena_init(fg_arena_t *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size != 0 ? block_size : ARENA_DEFAULT;
    a->used = 0;
}

static fg_arena_block_t *new_block(size_t size)
{
    if (size > SIZE_MAX - sizeof(fg_arena_block_t))
        return NULL;
    fg_arena_block_t *b = fg_malloc(sizeof(*b) + size);
    if (b == NULL)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *fg_arena_alloc(fg_arena_t *a, size_t size)
{
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    fg_arena_block_t *b = a->head;
    if (b == NULL || b->size - b->used < size) {
        if (size > a->block_size / 4) {
            /* A large request gets a block of its own, placed behind the current one so the
             * current block keeps serving small requests. */
            fg_arena_block_t *big = new_block(size);
            if (big == NULL)
                return NULL;
            big->used = size;
            if (b == NULL) {
                a->head = big;
            } else {
                big->next = b->next;
                b->next = big;
            }
            a->used += size;
            return big->data;
        }
        b = new_block(a->block_size);
        if (b == NULL)
            return NULL;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    a->used += size;
    return p;
}

void *fg_arena_calloc(fg_arena_t *a, size_t n, size_t size)
{
    if (n != 0 && size > SIZE_MAX / n)
        return NULL;
    void *p = fg_arena_alloc(a, n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

char *fg_arena_strndup(fg_arena_t *a, const char *s, size_t n)
{
    char *p = fg_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void fg_arena_reset(fg_arena_t *a)
{
    /* Keep one ordinary-sized block: the steady state of a request loop allocates nothing. */
    fg_arena_block_t *keep = NULL;
    fg_arena_block_t *b = a->head;
    while (b != NULL) {
        fg_arena_block_t *next = b->next;
        if (keep == NULL && b->size == a->block_size) {
            keep = b;
        } else {
            fg_free(b);
        }
        b = next;
    }
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
    a->used = 0;
}

void fg_arena_release(fg_arena_t *a)
{
    fg_arena_block_t *b = a->head;
    while (b != NULL) {
        fg_arena_block_t *next = b->next;
        fg_free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}
