/*
 * auth.c — who is calling: an API key (Authorization: Bearer KEY or X-API-Key) or an officer's
 * name and password (Basic), verified through the service and remembered for FG__AUTH_TTL
 * seconds; officers' sign-ins under the failed-sign-in limits (signin.c).
 */
#include "core/compat.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "serve/serve_int.h"

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* Not signed in: 401 (the same answer whatever was wrong). */
static int refuse(fg__req_t *c, int *st)
{
    *st = fg__fail(c, FG_E_AUTH, "Authorization",
                   "send an API key (Authorization: Bearer KEY) or officer credentials");
    return 0;
}

/* "name:password" (colon at the ':') against the store, under the sign-in limits: while the name
 * or the client's address is locked, 429 with Retry-After and no argon2id work at all. */
static int check_password(fg__req_t *c, char *cred, char *colon, int64_t now, int *st)
{
    char addr[64];
    fg__http_peer(c->rq, addr);
    *colon = '\0';
    int wait = fg__signin_begin(&c->s->signin, cred, addr, now);
    if (wait > 0) {
        c->rs->retry_after = wait;
        *st = fg__fail(c, FG_E_AUTH_RATE, "Authorization", NULL);
        return 0;
    }
    fg_error_t err;
    int rc = fg_service_user_check(c->s->svc, cred, colon + 1, &c->who, &err);
    fg__signin_end(&c->s->signin, cred, addr, rc, mono_s());
    return rc == 0 ? 1 : refuse(c, st);
}

/* An API key (colon NULL) or "name:password" (colon points at the ':'): from the cache of recent
 * verifications, else verified against the store (a key's SHA-256; argon2id for a password) and
 * cached. 1 when verified; else 0 with the answer written and its status in *st. A wrong key and
 * an unknown one take the same path: the store looks the key up by the digest of all of it, never
 * by the id inside it, and a key's 128 random bits leave nothing to guess, so keys are not under
 * the sign-in limits. */
static int verify(fg__req_t *c, char *cred, char *colon, int *st)
{
    fg__auth_cache_t *a = &c->s->auth;
    unsigned char d[32];
    crypto_hash_sha256_state hs;
    crypto_hash_sha256_init(&hs);
    crypto_hash_sha256_update(&hs, a->salt, sizeof(a->salt));
    crypto_hash_sha256_update(&hs, (const unsigned char *)(colon != NULL ? "u" : "k"), 1);
    crypto_hash_sha256_update(&hs, (const unsigned char *)cred, strlen(cred));
    crypto_hash_sha256_final(&hs, d);
    size_t k = (d[0] | (size_t)d[1] << 8) % FG__AUTH_SLOTS;
    int64_t now = mono_s();
    int hit = 0;
    pthread_mutex_lock(&a->mu);
    if (a->slot[k].expires > now && sodium_memcmp(a->slot[k].digest, d, sizeof(d)) == 0) {
        c->who = a->slot[k].who;
        hit = 1;
    }
    pthread_mutex_unlock(&a->mu);
    if (hit)
        return 1;
    fg_error_t err;
    int ok;
    if (colon != NULL)
        ok = check_password(c, cred, colon, now, st);
    else
        ok = fg_service_key_find(c->s->svc, cred, &c->who, &err) == 0 || refuse(c, st);
    if (!ok)
        return 0;
    pthread_mutex_lock(&a->mu);
    memcpy(a->slot[k].digest, d, sizeof(d));
    a->slot[k].who = c->who;
    a->slot[k].expires = now + FG__AUTH_TTL;
    pthread_mutex_unlock(&a->mu);
    return 1;
}

int fg__authenticate(fg__req_t *c, int *st)
{
    const char *h = fg__http_header(c->rq, "Authorization");
    const char *key = fg__http_header(c->rq, "X-API-Key");
    if (key == NULL && h != NULL && strncmp(h, "Bearer ", 7) == 0)
        key = h + 7;
    if (key != NULL) {
        char k[FG_STORE_KEY_LEN + 1];
        size_t n = strlen(key);
        if (n != FG_STORE_KEY_LEN)
            return refuse(c, st);
        memcpy(k, key, n + 1);
        return verify(c, k, NULL, st);
    }
    if (h == NULL || strncmp(h, "Basic ", 6) != 0)
        return refuse(c, st);
    unsigned char raw[256];
    size_t n = 0;
    if (sodium_base642bin(raw, sizeof(raw) - 1, h + 6, strlen(h + 6), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return refuse(c, st);
    raw[n] = '\0';
    char *colon = strchr((char *)raw, ':');
    if (colon == NULL)
        return refuse(c, st);
    return verify(c, (char *)raw, colon, st);
}
