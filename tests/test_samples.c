/*
 * test_samples.c: the sample shown first is the patch the true filter
 * responds to most; each photo's best patch fills the strip, and a click on
 * a thumbnail shows that patch.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "input.h"
#include "render.h"
#include "samples.h"
#include "setup.h"

/* Two photos of 32x16 (two 16x16 patches each): the first flat gray; the
 * second black then white from column 8 on (a vertical edge in its left
 * patch; its right patch all white). */
static void make_dataset(lf_dataset *ds)
{
    lf_image images[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(lf_image_init(&images[i], 32, 16, NULL), LF_OK);
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 32; x++) {
            images[0].pixels[y * 32 + x] = 0.5f;
            images[1].pixels[y * 32 + x] = x >= 8 ? 1.0f : 0.0f;
        }
    lf_dataset_options d = {.patch_size = 16, .validation_fraction = -1, .seed = 3};
    assert_int_equal(lf_dataset_from_images(ds, images, 2, &d, NULL), LF_OK);
    for (int i = 0; i < 2; i++)
        lf_image_deinit(&images[i]);
    assert_int_equal(ds->patch_count, 4);
    assert_int_equal(ds->file_count, 2);
}

/* The patch holding the edge: the one with both black and white pixels. */
static int edge_patch(const lf_dataset *ds)
{
    for (int p = 0; p < ds->patch_count; p++) {
        const float *in = lf_dataset_clean(ds, p);
        if (in[0] < 0.25f && in[15] > 0.75f)
            return p;
    }
    fail_msg("no edge patch");
    return -1;
}

static void test_response_and_pick(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds);
    lf_kernel k;
    lf_kernel_from_name(&k, "sobel-x", 1, NULL);
    int edge = edge_patch(&ds);
    /* Sobel x across a unit step: 1 + 2 + 1 = 4 at the two valid columns
     * whose window straddles it, 0 at the other 12: a mean of 8/14. */
    assert_float_equal(samples_response(&ds, &k, edge), 8.0 / 14.0, 1e-6);
    for (int p = 0; p < ds.patch_count; p++)
        if (p != edge)
            assert_float_equal(samples_response(&ds, &k, p), 0, 1e-6);
    int best[4], files = 0;
    assert_int_equal(samples_pick(&ds, &k, best, 4, &files), edge);
    assert_int_equal(files, 2);
    assert_int_equal(best[ds.patch_file[edge]], edge);
    /* The flat photo's entry is one of its own patches. */
    int other = 1 - ds.patch_file[edge];
    assert_true(best[other] >= 0);
    assert_int_equal(ds.patch_file[best[other]], other);
    /* A capacity of one lists one photo. */
    assert_int_equal(samples_pick(&ds, &k, best, 1, &files), edge);
    assert_int_equal(files, 1);
    /* The thumbnail averages: the edge patch's left quarter black, the
     * rest white, at 4x4. */
    float thumb[16];
    samples_thumbnail(&ds, edge, thumb, 4);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            assert_float_equal(thumb[y * 4 + x], x < 2 ? 0.0 : 1.0, 1e-6);
    lf_dataset_deinit(&ds);
}

static const worker_frame *wait_taken(worker *w, unsigned long count)
{
    struct timespec pause = {0, 1000000};
    const worker_frame *f = worker_acquire_frame(w, NULL);
    while (f->requests_taken < count) {
        nanosleep(&pause, NULL);
        f = worker_acquire_frame(w, NULL);
    }
    return f;
}

/* A real worker shows the edge first, publishes the strip, and a click on
 * the other photo's thumbnail shows its patch. */
static void test_worker_first_sample_and_strip(void **state)
{
    (void)state;
    app_setup s = {0};
    make_dataset(&s.dataset);
    int edge = edge_patch(&s.dataset);
    int edge_file = s.dataset.patch_file[edge];
    lf_kernel_from_name(&s.kernel, "sobel-x", 1, NULL);
    lf_trainer_options t = {.target = s.kernel, .seed = 1};
    s.trainer = lf_trainer_create(&t, &s.dataset, NULL);
    assert_non_null(s.trainer);
    worker *w = worker_create(&s, &(worker_options){.start_paused = true}, NULL);
    assert_non_null(w);
    const worker_images *im = worker_acquire_images(w, NULL);
    assert_int_equal(im->snap.sample_patch, edge);
    assert_int_equal(im->strip.count, 2);
    assert_int_equal(im->strip.patch[edge_file], edge);
    int other_patch = im->strip.patch[1 - edge_file];
    assert_true(other_patch >= 0 && other_patch != edge);

    /* Drawn, and clicked. */
    SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormat(0, 1280, 720, 32,
                                                          SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *renderer = SDL_CreateSoftwareRenderer(surface);
    render_ctx *view = render_create(renderer, app_assets_dir(), 1.0f, 64, NULL);
    assert_non_null(view);
    const worker_frame *f = worker_acquire_frame(w, NULL);
    render_update_frame(view, f);
    render_update_images(view, im);
    layout L;
    layout_compute(&L, 1280, 720, 1.0f);
    render_view v = {.frame = f, .images = im, .fps = -1};
    render_draw(view, &L, &v);
    const samples_strip_hits *hits = render_strip(view);
    assert_int_equal(hits->count, 2);
    int at = hits->patch[0] == other_patch ? 0 : 1;
    assert_int_equal(hits->patch[at], other_patch);
    layout_rect box = hits->rect[at];
    assert_true(box.y >= L.strip.y && box.y + box.h <= L.strip.y + L.strip.h);
    ui_state ui = {.strip = hits, .buttons = render_buttons(view)};
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = box.x + box.w / 2;
    e.button.y = box.y + box.h / 2;
    worker_req r;
    assert_true(input_handle_event(&ui, &e, 1.0f, &r));
    assert_int_equal(r.kind, WORKER_REQ_SAMPLE);
    assert_int_equal(r.value, other_patch);
    assert_true(worker_request(w, &r));
    wait_taken(w, 1);
    /* The worker publishes a change's images before its frame. */
    im = worker_acquire_images(w, NULL);
    assert_int_equal(im->snap.sample_patch, other_patch);
    render_destroy(view);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    worker_destroy(w);
    app_setup_destroy(&s);
}

int main(void)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_response_and_pick),
        cmocka_unit_test(test_worker_first_sample_and_strip),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return failed;
}
