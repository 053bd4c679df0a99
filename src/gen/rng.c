/*
 * rng.c — the generator's PRNG and the distributions it draws.
 *
 * xoshiro256** (Blackman and Vigna), each stream seeded by running splitmix64 over
 * (seed, stream, entity): person 123's year draws from its own stream, so changing how many draws
 * person 122 makes never changes person 123. Floating point is used only through +, *, /, sqrt,
 * log, exp and cos on doubles; on x86-64 without FMA these give the same bits on every build, so
 * the output is the same for the same seed (docs/generator.md).
 */
#include "core/compat.h"

#include <math.h>

#include "gen/gen_int.h"

void fg__gen_rng_init(gen_rng_t *r, uint64_t seed, uint64_t stream, uint64_t id)
{
    uint64_t x = gen_hash3(seed, stream * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL, id);
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15ULL;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = z ^ (z >> 31);
    }
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

/* Knuth's product method for small means, a rounded normal for large ones. */
int fg__gen_poisson(gen_rng_t *r, double lambda)
{
    if (!(lambda > 0.0))
        return 0;
    if (lambda < 30.0) {
        double limit = exp(-lambda);
        double p = 1.0;
        int k = 0;
        for (;;) {
            p *= rng_unit(r);
            if (p <= limit)
                return k;
            k++;
            if (k > 1000)
                return k;
        }
    }
    double v = lambda + sqrt(lambda) * fg__gen_normal(r) + 0.5;
    return v < 0.0 ? 0 : (int)v;
}

/* Box–Muller; one value per call (the second is dropped, which keeps the stream stateless). */
double fg__gen_normal(gen_rng_t *r)
{
    double u1 = rng_unit(r);
    double u2 = rng_unit(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double fg__gen_lognormal(gen_rng_t *r, double median, double sigma)
{
    return median * exp(sigma * fg__gen_normal(r));
}

uint32_t fg__gen_pick_cdf(gen_rng_t *r, const double *cdf, uint32_t n)
{
    if (n == 0)
        return 0;
    double u = rng_unit(r) * cdf[n - 1];
    uint32_t lo = 0;
    uint32_t hi = n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}
