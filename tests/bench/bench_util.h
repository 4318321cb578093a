/*
 * What every benchmark program shares: clocks, the median of repeated
 * runs, and the machine's peak single-precision FMA throughput, which the
 * benchmarks print their GFLOP/s against. A header of static functions,
 * included by each benchmark program (each is one translation unit).
 */
#ifndef LF_BENCH_UTIL_H
#define LF_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>

/* Wall time: what a user waits for. */
static inline double bench_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The calling thread's CPU time: on a machine shared with other work, the
 * time this thread waits for a core is not the code's. */
static inline double bench_thread_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench_compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n); sorts v in place. */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_compare_doubles);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/*
 * Peak single-precision FMA throughput. Each vector width gets its own
 * function with enough independent accumulators to cover the FMA latency
 * on two ports, so the register blocking fits the width: one source with
 * target_clones cannot change its blocking per clone. The widest the CPU
 * supports is chosen at run time. The build is ISO C, where GCC does not
 * fuse a * b + c into one instruction unless told (-ffp-contract), so the
 * loops that measure the peak ask for it.
 */
#define BENCH_PEAK_ACCUMULATORS 12
/* Twelve named accumulators, not an array: the compiler keeps them in
 * registers only when each is its own variable. */
#define BENCH_PEAK_BODY(vec)                                                              \
    vec a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;                                 \
    for (int l = 0; l < (int)(sizeof(vec) / sizeof(float)); l++)                          \
        a0[l] = 1.0f + 1e-3f * (float)l;                                                  \
    a1 = a0 + 1e-4f, a2 = a0 + 2e-4f, a3 = a0 + 3e-4f, a4 = a0 + 4e-4f, a5 = a0 + 5e-4f;  \
    a6 = a0 + 6e-4f, a7 = a0 + 7e-4f, a8 = a0 + 8e-4f, a9 = a0 + 9e-4f, a10 = a0 - 1e-4f; \
    a11 = a0 - 2e-4f;                                                                     \
    const vec m = a0 * 0.0f + 0.999999f, c = a0 * 0.0f + 1e-7f;                           \
    for (long it = 0; it < iterations; it++) {                                            \
        a0 = a0 * m + c, a1 = a1 * m + c, a2 = a2 * m + c, a3 = a3 * m + c;               \
        a4 = a4 * m + c, a5 = a5 * m + c, a6 = a6 * m + c, a7 = a7 * m + c;               \
        a8 = a8 * m + c, a9 = a9 * m + c, a10 = a10 * m + c, a11 = a11 * m + c;           \
    }                                                                                     \
    vec t = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                  \
    float sum = 0;                                                                        \
    for (int l = 0; l < (int)(sizeof(vec) / sizeof(float)); l++)                          \
        sum += t[l];                                                                      \
    return sum;

typedef float bench_v16f __attribute__((vector_size(64)));
typedef float bench_v8f __attribute__((vector_size(32)));
typedef float bench_v4f __attribute__((vector_size(16)));

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("avx512f"), optimize("fp-contract=fast"), noinline)) static float
bench_peak_avx512(long iterations)
{
    BENCH_PEAK_BODY(bench_v16f)
}
__attribute__((target("avx2,fma"), optimize("fp-contract=fast"), noinline)) static float
bench_peak_avx2(long iterations)
{
    BENCH_PEAK_BODY(bench_v8f)
}
#endif
__attribute__((noinline)) static float bench_peak_baseline(long iterations)
{
    BENCH_PEAK_BODY(bench_v4f)
}

/* The FMA loop of the widest vector the CPU runs. */
typedef struct bench_peak_kernel {
    const char *name; /* the instruction set, for the printed header */
    int lanes;        /* floats a vector */
    float (*run)(long iterations);
} bench_peak_kernel;

static inline bench_peak_kernel bench_peak_choose(void)
{
#if defined(__GNUC__) && defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return (bench_peak_kernel){"AVX-512", 16, bench_peak_avx512};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return (bench_peak_kernel){"AVX2+FMA", 8, bench_peak_avx2};
#endif
    return (bench_peak_kernel){"SSE", 4, bench_peak_baseline};
}

/* How many iterations one peak run makes: long enough to time, short
 * enough that the five runs take well under a second. */
#define BENCH_PEAK_ITERATIONS (20L * 1000 * 1000)

/* FLOPs of one run of k: each FMA lane is two. */
static inline double bench_peak_flops(bench_peak_kernel k, long iterations)
{
    return 2.0 * k.lanes * BENCH_PEAK_ACCUMULATORS * (double)iterations;
}

/* The machine's memory read bandwidth on one thread, GB/s: the median of
 * five sums over a buffer of 256 MB, far past any cache, so a step whose
 * data do not stay in the cache can be put against it. 0 if the buffer
 * cannot be had. */
static inline double bench_read_bandwidth(void)
{
    const size_t n = (size_t)64 << 20; /* floats */
    float *buffer = malloc(n * sizeof(float));
    if (!buffer)
        return 0;
    for (size_t i = 0; i < n; i++)
        buffer[i] = (float)(i & 7);
    double rates[5];
    volatile float sink = 0;
    for (int r = 0; r < 5; r++) {
        float lanes[16] = {0};
        double a = bench_wall_seconds();
        for (size_t i = 0; i < n; i += 16)
            for (int l = 0; l < 16; l++)
                lanes[l] += buffer[i + l];
        double dt = bench_wall_seconds() - a;
        for (int l = 0; l < 16; l++)
            sink += lanes[l];
        rates[r] = (double)n * sizeof(float) / dt * 1e-9;
    }
    (void)sink;
    free(buffer);
    return bench_median(rates, 5);
}

#endif
