/*
 * jalloc.c — jansson's allocations while a request's document is decoded come from a per-thread
 * bump region instead of malloc (the decoder builds and frees a whole JSON tree per request;
 * malloc and free were a quarter of the server's CPU under load).
 *
 * While a thread is inside fg__jalloc_begin … fg__jalloc_end, jansson's malloc takes from the
 * thread's region (1 MiB, reused) and falls back to malloc when it is full; jansson's free ignores
 * pointers inside the calling thread's region and frees the rest. The invariant that makes this
 * safe: every JSON value decoded inside the scope is released before its end (fg_doc_parse keeps
 * nothing of the tree: the document lives in the request's arena). Outside a scope, and in
 * threads that never open one, jansson allocates with malloc as usual.
 *
 * The same per-thread state keeps each worker's request arena (fg__thread_arena), reset after each
 * request rather than freed, so a steady stream of requests allocates nothing after warm-up.
 */
#include "core/compat.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "serve/serve_int.h"

#define REGION (1u << 20)

typedef struct region {
    char *base;
    size_t used;
    int on;
    fg_arena_t arena; /* the worker's request arena */
} region_t;

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void region_free(void *p)
{
    region_t *r = p;
    if (r != NULL) {
        fg_arena_release(&r->arena);
        free(r->base);
        free(r);
    }
}

static void make_key(void)
{
    pthread_key_create(&key, region_free);
}

static region_t *mine(void)
{
    return pthread_getspecific(key);
}

static void *j_malloc(size_t n)
{
    region_t *r = mine();
    if (r != NULL && r->on) {
        size_t need = (n + 15) & ~(size_t)15;
        if (need >= n && r->used + need <= REGION) {
            void *p = r->base + r->used;
            r->used += need;
            return p;
        }
    }
    return malloc(n);
}

static void j_free(void *p)
{
    region_t *r = mine();
    if (p == NULL)
        return;
    if (r != NULL && (char *)p >= r->base && (char *)p < r->base + REGION)
        return;
    free(p);
}

void fg__jalloc_install(void)
{
    pthread_once(&once, make_key);
    json_set_alloc_funcs(j_malloc, j_free);
}

/* The calling thread's state, made on first use (NULL when out of memory). */
static region_t *get(void)
{
    region_t *r = mine();
    if (r != NULL)
        return r;
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->base = malloc(REGION);
    if (r->base == NULL) {
        free(r);
        return NULL;
    }
    fg_arena_init(&r->arena, 0);
    pthread_setspecific(key, r);
    return r;
}

fg_arena_t *fg__thread_arena(void)
{
    region_t *r = get();
    return r != NULL ? &r->arena : NULL;
}

void fg__jalloc_begin(void)
{
    region_t *r = get();
    if (r != NULL) {
        r->used = 0;
        r->on = 1;
    }
}

void fg__jalloc_end(void)
{
    region_t *r = mine();
    if (r != NULL) {
        r->on = 0;
        r->used = 0;
    }
}
