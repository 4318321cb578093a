/*
 * rng.c: xoshiro256** with splitmix64 seeding. See include/learnfilter/rng.h.
 */
#include "learnfilter/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void lf_rng_seed(lf_rng *rng, uint64_t seed)
{
    /* splitmix64 spreads even seed 0 over all four words, so no seed leaves
     * xoshiro in its all-zero fixed point. */
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->state[i] = splitmix64(&x);
}

uint64_t lf_rng_next(lf_rng *rng)
{
    uint64_t *s = rng->state;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double lf_rng_uniform(lf_rng *rng) { return (double)(lf_rng_next(rng) >> 11) * 0x1.0p-53; }

uint64_t lf_rng_below(lf_rng *rng, uint64_t bound)
{
    /* Rejection keeps every value equally likely: drop draws from the last,
     * incomplete copy of [0, bound). */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do {
        x = lf_rng_next(rng);
    } while (x >= limit);
    return x % bound;
}

double lf_rng_normal(lf_rng *rng)
{
    double u1 = lf_rng_uniform(rng);
    double u2 = lf_rng_uniform(rng);
    if (u1 < 0x1.0p-60) /* log(0) would be -inf */
        u1 = 0x1.0p-60;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void lf_rng_shuffle(lf_rng *rng, int *values, int count)
{
    for (int i = count - 1; i > 0; i--) {
        int j = (int)lf_rng_below(rng, (uint64_t)i + 1);
        int tmp = values[i];
        values[i] = values[j];
        values[j] = tmp;
    }
}
