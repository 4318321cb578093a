/*
 * gram_apply.c: the product G d of the statistics engine's step, from the
 * packed triangle (its layout in include/learnfilter/gram.h), beside the
 * plain loops it is held to (tests/test_gram.c).
 *
 * A step of the 32x32 smiley reads one 2.1 MB matrix per patch, and a
 * set's matrices do not stay in the cache, so the product is as fast as G
 * comes from memory. G is stored panel by panel, four rows side by side in
 * strips of 16 columns, so the product reads one sequence front to back;
 * the figures are beside the panel loop.
 */
#include "learnfilter/gram.h"

#include <stdbool.h>
#include <string.h>

#include "simd.h"

double lf_gram_apply_reference(float *grad, const float *packed, const float *d, int p, float scale)
{
    double quad = 0;
    for (int r = 0; r < p; r++) {
        double acc = 0;
        for (int c = 0; c < p; c++) {
            size_t i = r <= c ? lf_gram_packed_index(p, r, c) : lf_gram_packed_index(p, c, r);
            acc += (double)packed[i] * d[c];
        }
        grad[r] += (float)(scale * acc);
        quad += d[r] * acc;
    }
    return quad;
}

/*
 * The lanes of each row's sum over its columns. The row-by-row loops this
 * file replaced left them to the compiler's vectoriser, which gave each
 * sum 16 lanes (one AVX-512 register) in an optimised build, the columns
 * past the last whole 16 added into lane 0, and none in an unoptimised
 * build. Writing the lanes out, as many and in the same order, keeps every
 * result bit for bit what it was (tests/test_trajectories.c holds recorded
 * training runs to their bits, on AVX-512) whatever the memory layout. The
 * AVX2 and baseline versions had 8 and 4 lanes; they now have 16 as well,
 * so there results moved by rounding, once.
 */
#ifdef __OPTIMIZE__
#define GRAM_LANES 16
#else
#define GRAM_LANES 1
#endif
#define STRIP LF_GRAM_PANEL_WIDTH
_Static_assert(STRIP % GRAM_LANES == 0, "a strip holds whole lane groups");

/*
 * From this many parameters on (a packed G of 512 KB and more, half of a
 * core's second-level cache), the product asks for G GRAM_PREFETCH_BYTES
 * ahead of where it reads; smaller matrices stay in the cache and go
 * without. On the machine below, past the cache: without it 21-22 GB/s;
 * 2, 4, 8 and 16 KB ahead 25-27 GB/s (medians of 6 to 18 runs, alternated,
 * load 3-4), 8 KB a little ahead, and clearly so for 17 MB of matrices,
 * which the last-level cache holds.
 */
#define GRAM_PREFETCH_MIN_PARAMS 512
#define GRAM_PREFETCH_BYTES 8192

/* The helpers below are built into each of lf_gram_apply_rows's versions
 * (simd.h): a plain static function would be built once, for the baseline
 * instruction set, without the fused multiply-adds the sums round by. */
#if defined(__GNUC__)
#define GRAM_INLINE static inline __attribute__((always_inline))
#else
#define GRAM_INLINE static inline
#endif

/* Lane sums as the vectoriser combined them: the sum before the loop,
 * then lane 0, lane 1, ... in turn. */
GRAM_INLINE float lanes_total(float before, const float *lanes)
{
    float total = before;
    for (int l = 0; l < GRAM_LANES; l++)
        total += lanes[l];
    return total;
}

/* One row r of the triangle, through lf_gram_packed_index: for the last
 * rows when P is not a multiple of four (at most three columns each), and
 * for the ends of a range that does not start or stop on a panel. */
GRAM_INLINE void apply_row(float *restrict y, const float *restrict packed,
                           const float *restrict d, int p, int r)
{
    const float dr = d[r];
    const float before = packed[lf_gram_packed_index(p, r, r)] * dr;
    float lanes[GRAM_LANES] = {0};
    int c = r + 1;
    for (; c + GRAM_LANES <= p; c += GRAM_LANES)
        for (int l = 0; l < GRAM_LANES; l++) {
            const float g = packed[lf_gram_packed_index(p, r, c + l)];
            lanes[l] += g * d[c + l];
            y[c + l] += g * dr;
        }
    for (; c < p; c++) {
        /* An empty asm keeps the compiler from vectorising this in-order
         * sum (as products first, then adds), which would round apart from
         * the fused multiply-adds of lane 0 above. */
        __asm__("");
        const float g = packed[lf_gram_packed_index(p, r, c)];
        lanes[0] += g * d[c];
        y[c] += g * dr;
    }
    y[r] += lanes_total(before, lanes);
}

/* Rows [r, r + 4) from their panel g: row r + i contributes G[r+i][c] d[c]
 * to y[r+i] (a dot product) and G[r+i][c] d[r+i] to y[c] for c > r + i
 * (the lower triangle's share). One pass over the columns serves four
 * rows, and four independent sums keep the vector unit busy.
 *
 * The strip loop takes four strips a turn (its unroll pragma). Measured on
 * a 2-vCPU AMD EPYC (Zen 5) guest, one thread, P = 1,025 over 64 distinct
 * matrices (134 MB), in processor time, against 27-31 GB/s for a plain
 * read of memory: the old row-by-row layout 13-16 GB/s; panels one strip a
 * turn 16-19 GB/s; four strips a turn 25-28 GB/s. The arithmetic is the
 * same in all of them. */
GRAM_INLINE void apply_panel(float *restrict y, const float *restrict g, const float *restrict d,
                             int p, int r, bool prefetch)
{
    const float d0 = d[r], d1 = d[r + 1], d2 = d[r + 2], d3 = d[r + 3];
    /* The 4x4 block on the diagonal, from its upper half: g[0..3] is row r,
     * g[4..6] row r + 1, g[7..8] row r + 2, g[9] row r + 3. */
    const float a0 = g[0] * d0 + g[1] * d1 + g[2] * d2 + g[3] * d3;
    const float a1 = g[1] * d0 + g[4] * d1 + g[5] * d2 + g[6] * d3;
    const float a2 = g[2] * d0 + g[5] * d1 + g[7] * d2 + g[8] * d3;
    const float a3 = g[3] * d0 + g[6] * d1 + g[8] * d2 + g[9] * d3;
    g += 10;
    const int c0 = r + 4, n = p - c0, strips = n / STRIP;
    float s0[GRAM_LANES] = {0}, s1[GRAM_LANES] = {0}, s2[GRAM_LANES] = {0},
          s3[GRAM_LANES] = {0};
#pragma GCC unroll 4
    for (int q = 0; q < strips; q++, g += 4 * STRIP) {
        if (prefetch)
            for (int k = 0; k < 4 * STRIP * (int)sizeof(float); k += 64)
                __builtin_prefetch((const char *)g + GRAM_PREFETCH_BYTES + k, 0, 3);
        const float *restrict dc = d + c0 + q * STRIP;
        float *restrict yc = y + c0 + q * STRIP;
        for (int m = 0; m < STRIP; m += GRAM_LANES) {
#pragma omp simd
            for (int l = 0; l < GRAM_LANES; l++) {
                const float g0 = g[m + l], g1 = g[STRIP + m + l], g2 = g[2 * STRIP + m + l],
                            g3 = g[3 * STRIP + m + l];
                s0[l] += g0 * dc[m + l];
                s1[l] += g1 * dc[m + l];
                s2[l] += g2 * dc[m + l];
                s3[l] += g3 * dc[m + l];
                yc[m + l] += g0 * d0 + g1 * d1 + g2 * d2 + g3 * d3;
            }
        }
    }
    /* The last strip, narrower than STRIP: into lane 0, in order. */
    const int w = n - strips * STRIP;
    const float *restrict dc = d + c0 + strips * STRIP;
    float *restrict yc = y + c0 + strips * STRIP;
    float t0 = s0[0], t1 = s1[0], t2 = s2[0], t3 = s3[0];
    for (int l = 0; l < w; l++) {
        __asm__(""); /* not vectorised: see apply_row */
        const float g0 = g[l], g1 = g[w + l], g2 = g[2 * w + l], g3 = g[3 * w + l];
        t0 += g0 * dc[l];
        t1 += g1 * dc[l];
        t2 += g2 * dc[l];
        t3 += g3 * dc[l];
        yc[l] += g0 * d0 + g1 * d1 + g2 * d2 + g3 * d3;
    }
    s0[0] = t0;
    s1[0] = t1;
    s2[0] = t2;
    s3[0] = t3;
    y[r] += lanes_total(a0, s0);
    y[r + 1] += lanes_total(a1, s1);
    y[r + 2] += lanes_total(a2, s2);
    y[r + 3] += lanes_total(a3, s3);
}

/* y += the share of rows [r0, r1) of the upper triangle in G d: whole
 * panels the fast way, any rows around them one by one. Built for
 * AVX-512, AVX2 and the baseline, chosen at run time. */
LF_VECTOR_CLONES
void lf_gram_apply_rows(float *restrict y, const float *restrict packed, const float *restrict d,
                        int p, int r0, int r1)
{
    const bool prefetch = p >= GRAM_PREFETCH_MIN_PARAMS;
    int r = r0;
    for (; r < r1 && (r & 3); r++)
        apply_row(y, packed, d, p, r);
    for (; r + 4 <= r1 && r + 4 <= p; r += 4)
        apply_panel(y, packed + lf_gram_packed_index(p, r, r), d, p, r, prefetch);
    for (; r < r1; r++)
        apply_row(y, packed, d, p, r);
}

double lf_gram_apply_finish(float *restrict grad, const float *restrict y, const float *restrict d,
                            int p, float scale)
{
    double quad = 0;
    for (int i = 0; i < p; i++) {
        grad[i] += scale * y[i];
        quad += (double)d[i] * y[i];
    }
    return quad;
}

double lf_gram_apply(float *restrict grad, float *restrict y, const float *restrict packed,
                     const float *restrict d, int p, float scale)
{
    memset(y, 0, sizeof(float) * (size_t)p);
    lf_gram_apply_rows(y, packed, d, p, 0, p);
    return lf_gram_apply_finish(grad, y, d, p, scale);
}

int lf_gram_split(int p, int blocks, int *bounds, int capacity)
{
    /* blocks ranges need blocks + 1 boundaries. */
    if (blocks > capacity - 1)
        blocks = capacity - 1;
    if (!bounds || blocks < 1)
        return 0;
    /* Row r of the triangle holds p - r entries; the rows before r hold
     * r p - r (r - 1) / 2. Each boundary is the first multiple of four past
     * its share, so every block is whole panels. */
    const double total = lf_gram_packed_count(p);
    bounds[0] = 0;
    int r = 0;
    for (int b = 1; b < blocks; b++) {
        const double share = total * b / blocks;
        while (r < p && (double)r * p - (double)r * (r - 1) / 2 < share)
            r += 4;
        bounds[b] = r < p ? r : p;
    }
    bounds[blocks] = p;
    return blocks;
}
