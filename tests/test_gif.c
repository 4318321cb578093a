/*
 * test_gif.c: the GIF writer, read back with giflib's own decoder.
 *
 * A movie written by lf_gif_writer must decode with the frame count, size,
 * delays and repeat count it was written with, and every frame composited
 * as a viewer shows it must equal the pixels given, to within the fixed
 * palette's quantisation (exactly, for the palette's own colours). A folder
 * that cannot be written, a write that fails half way and a movie with no
 * frames must all leave nothing behind.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "learnfilter/gif.h"
#include "test_util.h"
#include "test_gif_read.h"

enum { W = 64, H = 40 };

/* Left half: colormap samples across; right half: a gray ramp. */
static void draw_frame(uint8_t *rgba, int stride, int shift)
{
    const lf_gif_palette *p = lf_gif_palette_default();
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *px = rgba + (size_t)y * (size_t)stride + 4 * (size_t)x;
            if (x < W / 2) {
                lf_gif_palette_sample(p, (float)((x + y + shift) % (W / 2)) / (W / 2 - 1), px);
            } else {
                uint8_t v = (uint8_t)((x - W / 2) * 8 + y);
                px[0] = px[1] = px[2] = v;
            }
            px[3] = 255;
        }
}

/* Largest channel difference between two frames. */
static int max_difference(const uint8_t *a, int stride_a, const uint8_t *b, int stride_b)
{
    int worst = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++) {
                int d = abs(a[(size_t)y * (size_t)stride_a + 4 * (size_t)x + (size_t)c] -
                            b[(size_t)y * (size_t)stride_b + 4 * (size_t)x + (size_t)c]);
                if (d > worst)
                    worst = d;
            }
    return worst;
}

static void test_round_trip(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/movie.gif", dir);

    /* Rows padded beyond the frame: the writer must honour the stride. */
    int stride = 4 * W + 12;
    uint8_t *frames[4];
    for (int f = 0; f < 4; f++) {
        frames[f] = calloc((size_t)stride * H, 1);
        draw_frame(frames[f], stride, f == 0 ? 0 : 5);
    }
    memset(frames[2] + 4 * 3, 250, 3); /* one pixel differs from frame 1 */
    /* frame 3 repeats frame 2 */
    memcpy(frames[3], frames[2], (size_t)stride * H);

    lf_gif_writer gif;
    lf_error err;
    lf_gif_options opt = {.width = W, .height = H, .delay_cs = 7, .loop = 0};
    assert_int_equal(lf_gif_writer_open(&gif, path, &opt, &err), LF_OK);
    for (int f = 0; f < 4; f++)
        assert_int_equal(lf_gif_writer_add_rgba(&gif, frames[f], stride, f == 3 ? 150 : 0, &err),
                         LF_OK);
    /* Nothing under the final name until the movie is closed. */
    assert_false(tu_file_exists(path));
    assert_int_equal(lf_gif_writer_close(&gif, &err), LF_OK);
    assert_int_equal(tu_count_entries(dir), 1);

    for (int f = 0; f < 4; f++) {
        gif_read_result r = gif_read(path, f);
        assert_true(r.ok);
        assert_true(r.gif89);
        assert_int_equal(r.frames, 4);
        assert_int_equal(r.width, W);
        assert_int_equal(r.height, H);
        assert_int_equal(r.delays[0], 7);
        assert_int_equal(r.delays[1], 7);
        assert_int_equal(r.delays[3], 150);
        assert_int_equal(r.loop, 0);
        assert_non_null(r.rgba);
        /* The quantisation error: half an RGB-555 cell (4 of 255) plus half
         * the distance between neighbouring grays or colormap samples. */
        int d = max_difference(r.rgba, 4 * W, frames[f], stride);
        if (d > 6)
            fail_msg("frame %d differs by %d from what was written", f, d);
        free(r.rgba);
    }
    for (int f = 0; f < 4; f++)
        free(frames[f]);
    tu_remove_tree(dir);
}

static void test_loop_options(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    uint8_t *frame = calloc(4 * W * H, 1);
    draw_frame(frame, 4 * W, 0);
    const int loops[] = {-1, 3};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/loop%d.gif", dir, i);
        lf_gif_writer gif;
        lf_gif_options opt = {.width = W, .height = H, .loop = loops[i]};
        assert_int_equal(lf_gif_writer_open(&gif, path, &opt, NULL), LF_OK);
        assert_int_equal(lf_gif_writer_add_rgba(&gif, frame, 4 * W, 0, NULL), LF_OK);
        assert_int_equal(lf_gif_writer_close(&gif, NULL), LF_OK);
        gif_read_result r = gif_read(path, -1);
        assert_true(r.ok);
        assert_int_equal(r.frames, 1);
        assert_int_equal(r.delays[0], 10); /* the default: 10 frames a second */
        assert_int_equal(r.loop, loops[i]);
    }
    free(frame);
    tu_remove_tree(dir);
}

static void test_unwritable_paths(void **state)
{
    (void)state;
    const char *paths[] = {"/nonexistent-learnfilter-folder/movie.gif", "/proc/movie.gif"};
    for (int i = 0; i < 2; i++) {
        lf_gif_writer gif;
        lf_error err;
        lf_gif_options opt = {.width = W, .height = H};
        assert_int_equal(lf_gif_writer_open(&gif, paths[i], &opt, &err), LF_ERR_IO);
        assert_int_equal(err.status, LF_ERR_IO);
        assert_non_null(strstr(err.message, paths[i]));
        assert_false(tu_file_exists(paths[i]));
        lf_gif_writer_abandon(&gif); /* harmless after a failed open */
    }
}

static void test_bad_options(void **state)
{
    (void)state;
    lf_gif_writer gif;
    lf_gif_options opt = {.width = 0, .height = H};
    assert_int_equal(lf_gif_writer_open(&gif, "/tmp/never.gif", &opt, NULL), LF_ERR_ARGUMENT);
    opt = (lf_gif_options){.width = W, .height = LF_GIF_MAX_SIDE + 1};
    assert_int_equal(lf_gif_writer_open(&gif, "/tmp/never.gif", &opt, NULL), LF_ERR_ARGUMENT);
    assert_false(tu_file_exists("/tmp/never.gif"));
}

static void test_no_frames_leaves_nothing(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/empty.gif", dir);
    lf_gif_writer gif;
    lf_error err;
    lf_gif_options opt = {.width = W, .height = H};
    assert_int_equal(lf_gif_writer_open(&gif, path, &opt, &err), LF_OK);
    assert_int_equal(tu_count_entries(dir), 1); /* the temporary file */
    assert_int_not_equal(lf_gif_writer_close(&gif, &err), LF_OK);
    assert_int_equal(tu_count_entries(dir), 0);

    assert_int_equal(lf_gif_writer_open(&gif, path, &opt, &err), LF_OK);
    lf_gif_writer_abandon(&gif);
    assert_int_equal(tu_count_entries(dir), 0);
    tu_remove_tree(dir);
}

/* A file size limit makes writes fail as a full disk does (EFBIG rather
 * than ENOSPC): the movie must fail with LF_ERR_IO and leave no file. */
static void test_write_failure_leaves_nothing(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/full.gif", dir);
    enum { S = 256 };
    uint8_t *noise = malloc(4 * S * S);
    uint32_t x = 12345;
    lf_gif_writer gif;
    lf_error err;
    lf_gif_options opt = {.width = S, .height = S};
    assert_int_equal(lf_gif_writer_open(&gif, path, &opt, &err), LF_OK);

    struct rlimit saved, low;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    low = saved;
    low.rlim_cur = 20000;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
    lf_status st = LF_OK;
    for (int f = 0; f < 8 && st == LF_OK; f++) {
        for (int i = 0; i < 4 * S * S; i++) {
            x = x * 1664525u + 1013904223u; /* incompressible */
            noise[i] = (uint8_t)(x >> 24);
        }
        st = lf_gif_writer_add_rgba(&gif, noise, 4 * S, 0, &err);
    }
    if (st == LF_OK)
        st = lf_gif_writer_close(&gif, &err);
    else
        lf_gif_writer_abandon(&gif);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(st, LF_ERR_IO);
    assert_int_equal(err.status, LF_ERR_IO);
    assert_int_equal(tu_count_entries(dir), 0);
    free(noise);
    tu_remove_tree(dir);
}

static void test_palette(void **state)
{
    (void)state;
    const lf_gif_palette *p = lf_gif_palette_default();
    assert_in_range(p->count, LF_GIF_COLORS - 4, LF_GIF_COLORS); /* less any duplicates */
    assert_int_equal(p->samples, LF_GIF_DEFAULT_SAMPLES);
    /* Black and white exact; the colormap's ends are deep blue and deep red,
     * its middle white-ish. */
    const uint8_t *black = p->rgb[lf_gif_palette_index(p, 0, 0, 0)];
    const uint8_t *white = p->rgb[lf_gif_palette_index(p, 255, 255, 255)];
    assert_true(black[0] == 0 && black[1] == 0 && black[2] == 0);
    assert_true(white[0] == 255 && white[1] == 255 && white[2] == 255);
    uint8_t lo[3], mid[3], hi[3];
    lf_gif_palette_sample(p, 0, lo);
    lf_gif_palette_sample(p, 0.5f, mid);
    lf_gif_palette_sample(p, 1, hi);
    assert_true(lo[2] > lo[0] && hi[0] > hi[2]);
    assert_true(mid[0] > 230 && mid[1] > 230 && mid[2] > 230);
    /* Every sample is its own nearest entry, or one as close. */
    for (int i = 0; i < p->samples; i++) {
        const uint8_t *c = p->rgb[i];
        const uint8_t *q = p->rgb[lf_gif_palette_index(p, c[0], c[1], c[2])];
        for (int k = 0; k < 3; k++)
            assert_true(abs(c[k] - q[k]) <= 12);
    }
}

/* A photograph's smooth gradient must not band: every 8-bit gray comes out
 * as the nearest palette grays mixed in the right proportion, so the mean
 * over each dither period equals the gray given, and a ramp keeps far more
 * than the 32 grays an RGB-555 lookup has. */
static void test_gray_gradient_does_not_band(void **state)
{
    (void)state;
    enum { GW = 256, GH = 16 };
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ramp.gif", dir);
    uint8_t *ramp = malloc((size_t)GW * GH * 4);
    assert_non_null(ramp);
    for (int y = 0; y < GH; y++)
        for (int x = 0; x < GW; x++) {
            uint8_t *px = ramp + ((size_t)y * GW + (size_t)x) * 4;
            px[0] = px[1] = px[2] = (uint8_t)x;
            px[3] = 255;
        }
    lf_gif_writer gif;
    lf_error err;
    lf_gif_options opt = {.width = GW, .height = GH};
    assert_int_equal(lf_gif_writer_open(&gif, path, &opt, &err), LF_OK);
    assert_int_equal(lf_gif_writer_add_rgba(&gif, ramp, GW * 4, 0, &err), LF_OK);
    assert_int_equal(lf_gif_writer_close(&gif, &err), LF_OK);

    gif_read_result r = gif_read(path, 0);
    assert_true(r.ok);
    assert_non_null(r.rgba);
    bool seen[256] = {false};
    int distinct = 0;
    for (int x0 = 0; x0 < GW; x0 += 4) {
        /* One 4x4 dither period: its mean is the input's mean. */
        for (int y0 = 0; y0 < GH; y0 += 4) {
            double out_sum = 0, in_sum = 0;
            for (int y = y0; y < y0 + 4; y++)
                for (int x = x0; x < x0 + 4; x++) {
                    const uint8_t *px = r.rgba + ((size_t)y * GW + (size_t)x) * 4;
                    assert_true(px[0] == px[1] && px[1] == px[2]); /* gray stays gray */
                    if (abs(px[0] - x) > 4)
                        fail_msg("gray %d came out as %d", x, px[0]);
                    if (!seen[px[0]]) {
                        seen[px[0]] = true;
                        distinct++;
                    }
                    out_sum += px[0];
                    in_sum += x;
                }
            if (fabs(out_sum - in_sum) / 16 > 0.75)
                fail_msg("grays %d..%d average %.2f, expected %.2f", x0, x0 + 3, out_sum / 16,
                         in_sum / 16);
        }
    }
    if (distinct < 64)
        fail_msg("a 256-step ramp came out in %d grays", distinct);
    free(r.rgba);
    free(ramp);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_loop_options),
        cmocka_unit_test(test_unwritable_paths),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_no_frames_leaves_nothing),
        cmocka_unit_test(test_write_failure_leaves_nothing),
        cmocka_unit_test(test_palette),
        cmocka_unit_test(test_gray_gradient_does_not_band),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
