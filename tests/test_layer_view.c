/*
 * test_layer_view.c: the random-filters view's arithmetic and thread
 * (layer_view.h).
 *
 * Its feature maps must be the core's layer forward of its filters on its
 * photo: here checked against lf_layer_forward_reference, the plain loops
 * that state the layer's definition, for a made-up photo and for the photo
 * the thread picks from the bundled set (which must be in colour). The
 * filters come from the seed and the roll alone, and a new roll gives new
 * ones.
 */
#include "test_util.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "layer_view.h"
#include "learnfilter/layer.h"

/* maps must equal the reference forward of filters over photo (3, h, w). */
static void assert_reference(const float *maps, const float *filters, const float *photo, int h,
                             int w)
{
    lf_layer_desc d = {.in_height = h, .in_width = w, .k_height = 3, .k_width = 3,
                       .channels = 3, .filters = LAYER_X_FILTERS};
    lf_layer_shape s;
    lf_error err;
    assert_int_equal(lf_layer_shape_make(&s, &d, &err), LF_OK);
    float params[LAYER_VIEW_TAPS + LAYER_X_FILTERS] = {0};
    memcpy(params, filters, sizeof(float) * LAYER_VIEW_TAPS);
    float *ref = malloc(sizeof(float) * s.out_count);
    assert_non_null(ref);
    lf_layer_forward_reference(ref, ref, photo, params, &s);
    double worst = 0, biggest = 0;
    for (size_t i = 0; i < s.out_count; i++) {
        worst = fmax(worst, fabs(maps[i] - ref[i]));
        biggest = fmax(biggest, fabs(ref[i]));
    }
    assert_true(biggest > 0.01);
    assert_true(worst <= 1e-5 * fmax(1.0, biggest));
    free(ref);
}

static void test_maps_are_the_layer_forward(void **state)
{
    (void)state;
    enum { HT = 37, WD = 52 };
    static float photo[3 * HT * WD], photo_buf[3 * HT * WD], maps[LAYER_X_FILTERS * HT * WD];
    lf_rng rng;
    lf_rng_seed(&rng, 5);
    tu_fill_uniform(photo, 3 * HT * WD, &rng, 0, 1);
    layer_view_result r = {.capacity = HT * WD, .photo = photo_buf, .maps = maps};
    lf_error err;
    assert_int_equal(layer_view_compute(&r, photo, HT, WD, 7, 3, &err), LF_OK);
    assert_true(r.ok);
    assert_int_equal(r.roll, 3);
    assert_int_equal(r.height, HT);
    assert_int_equal(r.width, WD);
    assert_memory_equal(r.photo, photo, sizeof photo);
    assert_reference(r.maps, r.filters, photo, HT, WD);
    /* The filters are the roll's, from the seed, on N(0, 1/27). */
    float again[LAYER_VIEW_TAPS], next[LAYER_VIEW_TAPS];
    layer_view_filters(again, LAYER_VIEW_TAPS, 7, 3);
    layer_view_filters(next, LAYER_VIEW_TAPS, 7, 4);
    assert_memory_equal(again, r.filters, sizeof again);
    assert_memory_not_equal(next, r.filters, sizeof next);
    double sum2 = 0;
    for (int i = 0; i < LAYER_VIEW_TAPS; i++)
        sum2 += (double)again[i] * again[i];
    double sd = sqrt(sum2 / LAYER_VIEW_TAPS);
    assert_true(sd > 0.5 / sqrt(27.0) && sd < 1.5 / sqrt(27.0));
    /* A photo larger than the buffers is refused, never written past. */
    layer_view_result small = {.capacity = 10, .photo = photo_buf, .maps = maps};
    assert_int_equal(layer_view_compute(&small, photo, HT, WD, 7, 3, &err), LF_ERR_ARGUMENT);
}

/* Waits for roll from the thread (the test's time-out guards a hang). */
static const layer_view_result *wait_roll(layer_view *v, unsigned roll)
{
    struct timespec pause = {0, 1000000};
    for (;;) {
        const layer_view_result *r = layer_view_acquire(v, NULL);
        if (r && r->roll == roll)
            return r;
        nanosleep(&pause, NULL);
    }
}

static void test_thread_rolls_over_a_colour_photo(void **state)
{
    (void)state;
    layer_view *v = layer_view_create(&(layer_view_options){.data_dir = LF_SOURCE_DATA_DIR,
                                                             .seed = 1});
    assert_non_null(v);
    assert_null(layer_view_acquire(v, NULL));
    layer_view_request(v, 1);
    const layer_view_result *r = wait_roll(v, 1);
    assert_true(r->ok);
    assert_true(r->height > 0 && r->width > 0);
    assert_true(r->height <= LAYER_VIEW_PHOTO_SIDE && r->width <= LAYER_VIEW_PHOTO_SIDE);
    assert_true(r->height == LAYER_VIEW_PHOTO_SIDE || r->width == LAYER_VIEW_PHOTO_SIDE);
    /* In colour: its planes differ. */
    size_t area = (size_t)r->height * r->width;
    double diff = 0;
    for (size_t i = 0; i < area; i++)
        diff += fabs(r->photo[i] - r->photo[area + i]) + fabs(r->photo[area + i] - r->photo[2 * area + i]);
    assert_true(diff / area > 0.02);
    assert_reference(r->maps, r->filters, r->photo, r->height, r->width);
    float first[LAYER_VIEW_TAPS], photo_name[LAYER_VIEW_NAME_MAX / 4];
    memcpy(first, r->filters, sizeof first);
    memcpy(photo_name, r->photo_name, sizeof photo_name);
    /* X again: new filters over the same photo. */
    layer_view_request(v, 2);
    r = wait_roll(v, 2);
    assert_true(r->ok);
    assert_memory_not_equal(first, r->filters, sizeof first);
    assert_memory_equal(photo_name, r->photo_name, sizeof photo_name);
    assert_reference(r->maps, r->filters, r->photo, r->height, r->width);
    layer_view_destroy(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maps_are_the_layer_forward),
        cmocka_unit_test(test_thread_rolls_over_a_colour_photo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
