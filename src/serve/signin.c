/*
 * signin.c — limits on failed sign-ins (officer passwords), per user name and per client address,
 * checked before any argon2id work so that a refused attempt costs nothing.
 *
 * Each attempt is counted when it begins (so that workers verifying at the same time cannot pass
 * the limit together) and taken back when it turns out not to be a failure. A name or an address
 * whose count reaches its limit within `window` seconds is locked for `lockout` seconds from the
 * answer to the failure that reached it (however long the password check took): attempts are
 * answered 429 and not counted; after it, counting starts again. A success clears the name's
 * count; the address keeps its failures, so one good account cannot wipe an address's record.
 * Names are counted whether or not the officer exists, so a lock tells nothing about who exists.
 *
 * Memory is fixed: each table is FG__SIGNIN_SETS sets of FG__SIGNIN_WAYS entries, an entry a
 * keyed 64-bit hash (SipHash under a per-process key, so a spray cannot aim at one set) with its
 * counts. A new name takes an idle entry of its set, else the unlocked one counting longest, and
 * a locked entry only when all of its set are locked (the one whose lock ends first).
 *
 * Every failure is logged (signin.failed: the name as typed, the address, and whether it locked
 * either), as is every attempt refused by a lock (signin.locked); never a password.
 */
#include "core/compat.h"

#include <sodium.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/log.h"
#include "serve/serve_int.h"

static void table_init(fg__signin_table_t *t, int64_t limit)
{
    t->limit = limit;
    t->e = limit > 0 ? fg_calloc((size_t)FG__SIGNIN_SETS * FG__SIGNIN_WAYS, sizeof(*t->e)) : NULL;
    if (t->e == NULL)
        t->limit = 0;
}

int fg__signin_init(fg__signin_t *g, int64_t user_limit, int64_t addr_limit, int64_t window,
                    int64_t lockout)
{
    memset(g, 0, sizeof(*g));
    pthread_mutex_init(&g->mu, NULL);
    randombytes_buf(g->key, sizeof(g->key));
    g->window = window;
    g->lockout = lockout;
    table_init(&g->user, user_limit);
    table_init(&g->addr, addr_limit);
    return (user_limit > 0 && g->user.e == NULL) || (addr_limit > 0 && g->addr.e == NULL)
               ? FG_ENOMEM
               : 0;
}

void fg__signin_release(fg__signin_t *g)
{
    fg_free(g->user.e);
    fg_free(g->addr.e);
    g->user.e = g->addr.e = NULL;
    pthread_mutex_destroy(&g->mu);
}

static uint64_t tag_of(const fg__signin_t *g, const char *s)
{
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)s, strlen(s), g->key);
    uint64_t t;
    memcpy(&t, h, sizeof(t));
    return t != 0 ? t : 1;
}

/* Forget what is over: an ended lock, or a window gone by without one — once no attempt is in
 * flight. */
static void age(const fg__signin_t *g, fg__signin_entry_t *e, int64_t now)
{
    if (e->busy == 0 &&
        ((e->until != 0 && now >= e->until) || (e->until == 0 && now - e->since >= g->window))) {
        e->count = 0;
        e->until = 0;
        e->since = now;
    }
}

/* Which entry of a full set to give up first: the smallest. */
static int64_t keep_score(const fg__signin_entry_t *e)
{
    if (e->tag == 0 || (e->count == 0 && e->busy == 0))
        return -1;
    if (e->until == 0)
        return e->since;
    return INT64_MAX / 2 + e->until;
}

/* The entry of s in t, aged to now; with add, made when missing (NULL when t is off). */
static fg__signin_entry_t *entry(fg__signin_t *g, fg__signin_table_t *t, const char *s, int64_t now,
                                 int add)
{
    if (t->limit <= 0)
        return NULL;
    uint64_t tag = tag_of(g, s);
    fg__signin_entry_t *set = t->e + (size_t)(tag % FG__SIGNIN_SETS) * FG__SIGNIN_WAYS;
    fg__signin_entry_t *victim = NULL;
    for (int i = 0; i < FG__SIGNIN_WAYS; i++) {
        fg__signin_entry_t *e = &set[i];
        if (e->tag == tag) {
            age(g, e, now);
            return e;
        }
        if (e->tag != 0)
            age(g, e, now);
        if (victim == NULL || keep_score(e) < keep_score(victim))
            victim = e;
    }
    if (!add)
        return NULL;
    *victim = (fg__signin_entry_t){.tag = tag, .since = now};
    return victim;
}

/* Seconds e stays locked: its lock, or — while the attempts that reached the limit are still
 * being verified — the lockout they will bring if they fail. */
static int64_t locked_for(const fg__signin_t *g, const fg__signin_table_t *t,
                          const fg__signin_entry_t *e, int64_t now)
{
    if (e == NULL)
        return 0;
    if (e->until > now)
        return e->until - now;
    return e->count >= t->limit ? g->lockout : 0;
}

static void count_one(fg__signin_entry_t *e)
{
    if (e != NULL) {
        e->count++;
        e->busy++;
    }
}

/* An attempt of e answered at now with rc (clear: a success clears the count). A failure that
 * reaches the limit locks for the lockout from its answer on; an attempt that was no failure is
 * taken back, with a lock that its count alone brought. */
static void settle(const fg__signin_t *g, const fg__signin_table_t *t, fg__signin_entry_t *e,
                   int rc, int clear, int64_t now)
{
    if (e == NULL)
        return;
    if (e->busy > 0)
        e->busy--;
    if (rc == FG_E_AUTH) {
        if (e->count >= t->limit && e->until < now + g->lockout)
            e->until = now + g->lockout;
        return;
    }
    if (rc == 0 && clear)
        e->count = 0;
    else if (e->count > 0)
        e->count--;
    if (e->count < t->limit)
        e->until = 0;
}

/* The log line of a failed or refused sign-in, or of one the store could not answer. */
static void log_signin(const char *event, const char *user, const char *addr, int rc, int64_t wait,
                       int user_locked, int addr_locked)
{
    fg_log_line_t l;
    int error = rc != 0 && rc != FG_E_AUTH;
    if (!fg_log_begin(&l, error ? FG_LOG_ERROR : FG_LOG_WARN, event))
        return;
    fg_log_str(&l, "user", user);
    fg_log_str(&l, "addr", addr);
    if (error)
        fg_log_str(&l, "error", fg_err_name(rc));
    if (wait > 0)
        fg_log_int(&l, "retry_after", wait);
    if (rc == FG_E_AUTH) {
        fg_log_bool(&l, "user_locked", user_locked);
        fg_log_bool(&l, "addr_locked", addr_locked);
    }
    fg_log_end(&l);
}

int fg__signin_begin(fg__signin_t *g, const char *user, const char *addr, int64_t now)
{
    if (g->user.limit <= 0 && g->addr.limit <= 0)
        return 0;
    pthread_mutex_lock(&g->mu);
    fg__signin_entry_t *u = entry(g, &g->user, user, now, 1);
    fg__signin_entry_t *a = entry(g, &g->addr, addr, now, 1);
    int64_t wait = locked_for(g, &g->user, u, now);
    int64_t wa = locked_for(g, &g->addr, a, now);
    if (wa > wait)
        wait = wa;
    if (wait == 0) {
        count_one(u);
        count_one(a);
    }
    pthread_mutex_unlock(&g->mu);
    if (wait > 0)
        log_signin("signin.locked", user, addr, 0, wait, 0, 0);
    return wait > INT32_MAX ? INT32_MAX : (int)wait;
}

/* Is the entry locked at now (NULL: no)? */
static int locked(const fg__signin_entry_t *e, int64_t now)
{
    return e != NULL && e->until > now;
}

void fg__signin_end(fg__signin_t *g, const char *user, const char *addr, int rc, int64_t now)
{
    int ul = 0, al = 0;
    if (g->user.limit > 0 || g->addr.limit > 0) {
        pthread_mutex_lock(&g->mu);
        fg__signin_entry_t *u = entry(g, &g->user, user, now, 0);
        fg__signin_entry_t *a = entry(g, &g->addr, addr, now, 0);
        settle(g, &g->user, u, rc, 1, now);
        settle(g, &g->addr, a, rc, 0, now);
        ul = locked(u, now);
        al = locked(a, now);
        pthread_mutex_unlock(&g->mu);
    }
    if (rc != 0)
        log_signin(rc == FG_E_AUTH ? "signin.failed" : "signin.error", user, addr, rc, 0, ul, al);
}
