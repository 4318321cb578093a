/*
 * test_data_util.h: the synthetic images and datasets the tests train on,
 * and the one check of an lf_error.
 *
 * Each generator draws its pixels from an lf_rng in row order, so a test
 * that seeds the same generator gets the same images bit for bit (the
 * recorded trajectories depend on it). The kinds:
 *   - td_noise_image: uniform noise on [0, 1);
 *   - td_texture_image: smooth random blobs plus grain, clamped to [0, 1],
 *     the low frequencies of photographs and the fine detail an edge filter
 *     needs;
 *   - td_wave_image: a product of two waves plus grain, whose frequencies,
 *     levels and phase the test chooses (td_wave);
 *   - td_smooth_noise_images: noise blurred once by a 3x3 window whose
 *     centre weighs more, natural enough that a median is close to, but
 *     not, a linear filter.
 * td_dataset cuts images into a dataset and releases them. Everything is
 * static, as in test_util.h, so no helper library is needed.
 */
#ifndef LEARNFILTER_TEST_DATA_UTIL_H
#define LEARNFILTER_TEST_DATA_UTIL_H

#include "test_util.h"

#include "learnfilter/dataset.h"
#include "learnfilter/error.h"
#include "learnfilter/image.h"

/* ============================================================ images */

/* w x h of uniform noise on [0, 1) drawn from rng. */
static inline void td_noise_image(lf_image *img, int w, int h, lf_rng *rng)
{
    assert_int_equal(lf_image_init(img, w, h, NULL), LF_OK);
    tu_fill_uniform(img->pixels, (size_t)w * (size_t)h, rng, 0, 1);
}

/* Six smooth random blobs (radius 4 to 16) around 0.5 plus grain of +-0.2,
 * clamped to [0, 1], from its own generator seeded with seed. */
static inline void td_texture_image(lf_image *img, int w, int h, uint64_t seed)
{
    assert_int_equal(lf_image_init(img, w, h, NULL), LF_OK);
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    double cx[6], cy[6], r[6], a[6];
    for (int k = 0; k < 6; k++) {
        cx[k] = lf_rng_uniform(&rng) * w;
        cy[k] = lf_rng_uniform(&rng) * h;
        r[k] = 4 + lf_rng_uniform(&rng) * 12;
        a[k] = lf_rng_uniform(&rng) - 0.5;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double v = 0.5;
            for (int k = 0; k < 6; k++) {
                double dx = x - cx[k], dy = y - cy[k];
                v += a[k] * exp(-(dx * dx + dy * dy) / (2 * r[k] * r[k]));
            }
            v += 0.4 * (lf_rng_uniform(&rng) - 0.5);
            img->pixels[y * w + x] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
        }
}

/* A pixel of td_wave_image:
 *   base + amplitude * sin(sin_x * x + sin_y * y + phase) * cos(cos_x * x + cos_y * y)
 *        + grain * (u - grain_centre),   u uniform on [0, 1)
 * not clamped. Zero fields drop out exactly (0 * y and + 0 change no bit). */
typedef struct td_wave {
    double base, amplitude;
    double sin_x, sin_y, phase; /* the first wave's frequencies and phase */
    double cos_x, cos_y;        /* the second wave's frequencies */
    double grain, grain_centre;
} td_wave;

static inline void td_wave_image(lf_image *img, int w, int h, lf_rng *rng, const td_wave *wave)
{
    assert_int_equal(lf_image_init(img, w, h, NULL), LF_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            img->pixels[y * w + x] =
                (float)(wave->base +
                        wave->amplitude * sin(wave->sin_x * x + wave->sin_y * y + wave->phase) *
                            cos(wave->cos_x * x + wave->cos_y * y) +
                        wave->grain * (lf_rng_uniform(rng) - wave->grain_centre));
}

/* count images of side x side: noise from rng, each pixel then the mean of
 * its 3x3 neighbourhood inside the image, the centre weighing centre_weight. */
static inline void td_smooth_noise_images(lf_image *images, int count, int side, lf_rng *rng,
                                          int centre_weight)
{
    float *raw = malloc(sizeof(float) * (size_t)side * (size_t)side);
    assert_non_null(raw);
    for (int i = 0; i < count; i++) {
        assert_int_equal(lf_image_init(&images[i], side, side, NULL), LF_OK);
        tu_fill_uniform(raw, (size_t)side * (size_t)side, rng, 0, 1);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) {
                double s = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        if (y + dy >= 0 && y + dy < side && x + dx >= 0 && x + dx < side) {
                            int weight = dy == 0 && dx == 0 ? centre_weight : 1;
                            s += raw[(y + dy) * side + x + dx] * weight;
                            n += weight;
                        }
                images[i].pixels[y * side + x] = (float)(s / n);
            }
    }
    free(raw);
}

/* ========================================================== datasets */

/* Cuts count images into ds with options o, failing the test with the
 * library's message if it refuses, and releases the images. */
static inline void td_dataset(lf_dataset *ds, lf_image *images, int count,
                              const lf_dataset_options *o)
{
    lf_error err;
    lf_error_clear(&err);
    if (lf_dataset_from_images(ds, images, count, o, &err) != LF_OK)
        fail_msg("lf_dataset_from_images: %s", err.message);
    for (int i = 0; i < count; i++)
        lf_image_deinit(&images[i]);
}

/* ============================================================ errors */

/* The status a call returned and the lf_error it filled: both want, and a
 * message of one line that holds name and each of the NULL-terminated
 * words. Use td_check_error, which adds the place and the NULL. */
static inline void td_check_error_(lf_status got, lf_status want, const lf_error *err,
                                   const char *name, const char *file, int line, ...)
{
    if (got != want)
        fail_msg("%s:%d: status %d (%s), expected %d; message: %s", file, line, got,
                 lf_status_name(got), want, err->message);
    if (err->status != want)
        fail_msg("%s:%d: err.status %d, expected %d", file, line, err->status, want);
    if (name && !strstr(err->message, name))
        fail_msg("%s:%d: message does not name '%s': %s", file, line, name, err->message);
    if (strchr(err->message, '\n'))
        fail_msg("%s:%d: message is more than one line: %s", file, line, err->message);
    va_list args;
    va_start(args, line);
    for (const char *word = va_arg(args, const char *); word; word = va_arg(args, const char *))
        if (!strstr(err->message, word)) {
            va_end(args);
            fail_msg("%s:%d: message lacks '%s': %s", file, line, word, err->message);
        }
    va_end(args);
}
#define td_check_error(got, want, err, name, ...)                                             \
    td_check_error_(got, want, err, name, __FILE__, __LINE__, __VA_ARGS__, (const char *)NULL)

#endif
