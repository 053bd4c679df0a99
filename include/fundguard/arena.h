/*
 * fundguard/arena.h — bump allocation for request and batch work (h2o's mem pool).
 *
 * Memory from an arena lives until fg_arena_reset or fg_arena_release; callers never free it piece
 * by piece. Blocks are 64 KiB by default; a request larger than a block gets a block of its own.
 * Reset keeps the first block, so a steady stream of requests allocates nothing after warm-up.
 */
#ifndef FUNDGUARD_ARENA_H
#define FUNDGUARD_ARENA_H

#include <stddef.h>

typedef struct fg_arena_block fg_arena_block_t;

typedef struct fg_arena {
    fg_arena_block_t *head; /* current block, newest first */
    size_t block_size;      /* size of an ordinary block */
    size_t used;            /* bytes handed out since init/reset (statistics) */
} fg_arena_t;

/* Initialise (allocates nothing). block_size 0 means 64 KiB. */
void fg_arena_init(fg_arena_t *a, size_t block_size);
/* size bytes aligned for any type; NULL when out of memory. */
void *fg_arena_alloc(fg_arena_t *a, size_t size);
/* Zeroed n*size bytes; NULL on overflow or out of memory. */
void *fg_arena_calloc(fg_arena_t *a, size_t n, size_t size);
/* Copy of s[0..n) plus NUL, in the arena. */
char *fg_arena_strndup(fg_arena_t *a, const char *s, size_t n);
/* Forget everything allocated; keeps one block for reuse. */
void fg_arena_reset(fg_arena_t *a);
/* Free all blocks. The arena may be initialised again. */
void fg_arena_release(fg_arena_t *a);

#endif
