/*
 * rng.h: a small seeded random number generator.
 *
 * Every random choice in learnfilter (initial weights, shuffles, noise, the
 * random kernel) comes from one of these, owned by the object that makes the
 * choice, so a run is reproducible from its seed and two trainers never share
 * state. The generator is xoshiro256** seeded through splitmix64, which is
 * fast, has no bad seeds and passes the usual statistical batteries.
 */
#ifndef LEARNFILTER_RNG_H
#define LEARNFILTER_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lf_rng {
    uint64_t state[4];
} lf_rng;

void lf_rng_seed(lf_rng *rng, uint64_t seed);
uint64_t lf_rng_next(lf_rng *rng);
/* Uniform on [0, 1) with 53 bits. */
double lf_rng_uniform(lf_rng *rng);
/* Uniform integer on [0, bound); bound must be positive. Unbiased. */
uint64_t lf_rng_below(lf_rng *rng, uint64_t bound);
/* Standard normal (Box-Muller; one value per call, simplicity over speed). */
double lf_rng_normal(lf_rng *rng);
/* Fisher-Yates shuffle of an int array. */
void lf_rng_shuffle(lf_rng *rng, int *values, int count);

#ifdef __cplusplus
}
#endif
#endif
