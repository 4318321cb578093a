/*
 * test_insight.c: the numbers the frequency and bowl views show (insight.h)
 * against the core computed here directly for the same kernel and photos:
 * the sentence's shares and the steps estimate, the bowl's grid against
 * the trainer's own loss with the two weights set, the contour levels, the
 * path against the weights the run had, and a click in the bowl view
 * picking a cell instead of editing it.
 *
 * The views' thread is waited for by polls with a generous cap (a hang
 * guard); no verdict depends on how long it took.
 */
#include "test_util.h"

#include <math.h>
#include <time.h>

#include "input.h"
#include "insight.h"
#include "kernel_edit.h"
#include "keymap.h"
#include "layout.h"
#include "setup.h"

#define SIDE 64        /* small patches: the tests also run under the sanitizers */
#define POLLS 400000   /* hang guard: 1 ms apart, far beyond what the thread needs */

typedef struct fixture {
    cli_options o;
    app_setup setup;
    lf_snapshot snap;
    insight *in;
} fixture;

static void start(fixture *f, const char *kernel, int steps)
{
    const char *argv[] = {"learnfilter", "--images", LF_SOURCE_DATA_DIR, "--size", "64",
                          "--kernel", kernel};
    lf_error err;
    if (!cli_parse(7, (char **)argv, &f->o, &err))
        fail_msg("%s", err.message);
    if (app_setup_create(&f->setup, &f->o, NULL, NULL, NULL, &err) != LF_OK)
        fail_msg("%s", err.message);
    for (int s = 0; s < steps; s++)
        assert_int_equal(lf_trainer_step(f->setup.trainer, &err), LF_OK);
    assert_int_equal(lf_snapshot_init(&f->snap, SIDE, &err), LF_OK);
    lf_trainer_snapshot(f->setup.trainer, &f->snap, false);
    f->in = insight_create(&f->o, &err);
    assert_non_null(f->in);
}

static void stop(fixture *f)
{
    insight_destroy(f->in);
    lf_snapshot_deinit(&f->snap);
    app_setup_destroy(&f->setup);
}

static bool ready(const insight_result *r, bool directions)
{
    return r && r->generation == 1 && r->spectra == INSIGHT_READY &&
           (r->gram == INSIGHT_READY || r->gram == INSIGHT_UNSUPPORTED) &&
           (!directions || r->directions == INSIGHT_READY);
}

/* The view once the thread has published what it needs; polls, each a
 * frame of the window. */
static const insight_view *wait_view(fixture *f, insight_mode mode, int pick, bool directions)
{
    const insight_view *v = insight_frame(f->in, mode, pick, &f->snap, 1, 0.01);
    for (long k = 0; k < POLLS && !ready(v->result, directions); k++) {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
        v = insight_frame(f->in, mode, -1, &f->snap, 1, 0.01);
    }
    if (!ready(v->result, directions))
        fail_msg("the views' thread published nothing complete");
    return v;
}

static const float **train_list(const lf_dataset *ds)
{
    const float **list = malloc(sizeof *list * (size_t)ds->train_count);
    assert_non_null(list);
    for (int i = 0; i < ds->train_count; i++)
        list[i] = lf_dataset_input(ds, i);
    return list;
}

/* A share printed with two significant digits (or as a whole percent). */
static void assert_share(double shown_percent, double share)
{
    double want = 100 * share;
    if (!(fabs(shown_percent - want) <= 0.051 * want + 1e-12))
        fail_msg("shown %.4g%%, the core says %.6g%%", shown_percent, want);
}

/* ============================================================ tests */

static void test_sentence_is_the_cores(void **state)
{
    (void)state;
    fixture f;
    start(&f, "sobel-x", 40);
    const insight_view *v = wait_view(&f, INSIGHT_FREQUENCY, -1, false);
    const lf_dataset *ds = &f.setup.dataset;
    const float **list = train_list(ds);
    lf_error err;
    float *power = malloc(sizeof(float) * SIDE * SIDE);
    int size = lf_spectrum_default_size(3, 3);
    float *k = malloc(sizeof(float) * (size_t)size * size);
    float *d = malloc(sizeof(float) * (size_t)size * size);
    assert_int_equal(lf_spectrum_photos(power, SIDE * SIDE, list, ds->train_count, SIDE, SIDE,
                                        &err),
                     LF_OK);
    assert_int_equal(lf_spectrum_kernel(k, (size_t)size * size, f.snap.target.weights, 3, 3, size,
                                        &err),
                     LF_OK);
    assert_int_equal(lf_spectrum_kernel_difference(d, (size_t)size * size,
                                                   f.snap.learned.weights,
                                                   f.snap.target.weights, 3, 3, size, &err),
                     LF_OK);
    lf_spectrum_facts facts;
    assert_int_equal(lf_spectrum_facts_compute(&facts, k, d, size, power, SIDE, SIDE,
                                               INSIGHT_CUTOFF, &err),
                     LF_OK);
    /* The view's photos are the run's photos, and its spectra the core's. */
    const insight_result *r = v->result;
    assert_int_equal(r->photo_side, SIDE);
    assert_int_equal(r->photo_count, ds->train_count);
    assert_memory_equal(r->photo_power, power, sizeof(float) * SIDE * SIDE);
    assert_memory_equal(r->true_mag, k, sizeof(float) * (size_t)size * size);
    assert_memory_equal(r->diff_mag, d, sizeof(float) * (size_t)size * size);
    /* The sentence says what the core found. */
    double photos, cutoff, kernel, error;
    assert_int_equal(sscanf(v->sentence,
                            "The photos hold %lf%% of their power above %lf cycles/pixel; %lf%%",
                            &photos, &cutoff, &kernel),
                     3);
    const char *now = strstr(v->sentence, "(now ");
    assert_non_null(now);
    assert_int_equal(sscanf(now, "(now %lf%%", &error), 1);
    assert_true(strstr(v->sentence, "of sobel-x's energy is there") != NULL);
    assert_share(photos, facts.photo_power_above);
    assert_share(kernel, facts.kernel_energy_above);
    assert_share(error, facts.error_energy_above);
    tu_assert_near(cutoff, 0.25, 1e-12);
    /* And it is the slow part: the photos hold little there, Sobel much. */
    assert_true(facts.photo_power_above < 0.2 && facts.kernel_energy_above > 0.5);
    free(list);
    free(power);
    free(k);
    free(d);
    stop(&f);
}

static long parse_count(const char *s)
{
    long n = 0;
    for (; *s && (*s == ',' || (*s >= '0' && *s <= '9')); s++)
        if (*s != ',')
            n = 10 * n + (*s - '0');
    return n;
}

static void test_steps_estimate_is_the_cores(void **state)
{
    (void)state;
    fixture f;
    start(&f, "sobel-x", 60);
    const insight_view *v = wait_view(&f, INSIGHT_FREQUENCY, -1, true);
    const lf_dataset *ds = &f.setup.dataset;
    const float **list = train_list(ds);
    const int p = 10;
    double a[100], vectors[100], values[10], d[10], coef[10];
    lf_error err;
    lf_conv_shape shape = lf_conv_shape_make(SIDE, SIDE, 3, 3, f.snap.padding);
    assert_int_equal(lf_gram_mean_of_patches(a, 100, list, ds->train_count, &shape, &err), LF_OK);
    assert_int_equal(lf_eigen_symmetric(values, 10, vectors, 100, a, p, &err), LF_OK);
    float params[10];
    memcpy(params, f.snap.learned.weights, sizeof(float) * 9);
    params[9] = f.snap.bias;
    lf_direction_split split;
    assert_int_equal(lf_gramspec_delta(d, 10, params, f.snap.target.weights, 9, &err), LF_OK);
    assert_int_equal(lf_gramspec_split(&split, coef, 10, values, vectors, p, d, INSIGHT_WEAK,
                                       &err),
                     LF_OK);
    assert_int_equal(f.snap.settings.optimizer, LF_OPTIMIZER_SGD);
    lf_descent_model model = {.learning_rate = f.snap.settings.learning_rate,
                              .momentum = f.snap.settings.momentum,
                              .nesterov = f.snap.settings.nesterov,
                              .tolerance = 0.01,
                              .reference_norm = lf_kernel_norm(&f.snap.target)};
    lf_descent_estimate e;
    assert_int_equal(lf_descent_estimate_steps(&e, values, coef, p, &model, &err), LF_OK);
    assert_true(e.steps > 0);
    /* "X% of the remaining error lies in the W of N directions ..." */
    double share;
    int weak, all;
    assert_int_equal(sscanf(v->directions,
                            "%lf%% of the remaining error lies in the %d of %d directions",
                            &share, &weak, &all),
                     3);
    assert_int_equal(all, p);
    assert_int_equal(weak, split.weak);
    assert_share(share, split.error_sq_weak / split.error_sq);
    const char *about = strstr(v->directions, "the model says about ");
    assert_non_null(about);
    assert_int_equal(parse_count(about + strlen("the model says about ")), e.steps);
    free(list);
    stop(&f);
}

static void test_bowl_is_the_trainers_loss(void **state)
{
    (void)state;
    fixture f;
    start(&f, "sobel-x", 30);
    /* The default pair is the centre and its right neighbour; a click on
     * the corner replaces the older one. */
    const insight_view *v = wait_view(&f, INSIGHT_BOWL, 0, false);
    v = insight_frame(f.in, INSIGHT_BOWL, -1, &f.snap, 1, 0.01);
    assert_non_null(v->bowl);
    const insight_bowl *b = v->bowl;
    assert_int_equal(b->i, 5);
    assert_int_equal(b->j, 0);
    assert_true(b->bowl.current_x == f.snap.learned.weights[5]);
    assert_true(b->bowl.current_y == f.snap.learned.weights[0]);
    lf_trainer *t = f.setup.trainer;
    lf_error err;
    const int n = INSIGHT_BOWL_GRID, count = f.setup.dataset.train_count;
    static const int points[][2] = {{0, 0}, {n - 1, 0}, {0, n - 1}, {n - 1, n - 1}, {30, 30},
                                    {13, 47}, {52, 9}};
    for (size_t k = 0; k < sizeof points / sizeof points[0]; k++) {
        int c = points[k][0], row = points[k][1];
        double x = b->bowl.x0 + c * (b->bowl.x1 - b->bowl.x0) / (n - 1);
        double y = b->bowl.y0 + row * (b->bowl.y1 - b->bowl.y0) / (n - 1);
        assert_int_equal(lf_trainer_set_weight(t, 5, (float)x, &err), LF_OK);
        assert_int_equal(lf_trainer_set_weight(t, 0, (float)y, &err), LF_OK);
        double direct = lf_trainer_evaluate(t, 0, count);
        tu_assert_near(b->loss[row * n + c], direct, 1e-4 * direct + 1e-9);
    }
    /* The bottom marked is the lowest loss around it. */
    assert_true(b->bowl.min_found);
    double h = 0.02 * (b->bowl.x1 - b->bowl.x0), best = 0;
    for (int k = 0; k < 5; k++) {
        double dx = k == 1 ? h : k == 2 ? -h : 0, dy = k == 3 ? h : k == 4 ? -h : 0;
        lf_trainer_set_weight(t, 5, (float)(b->bowl.min_x + dx), &err);
        lf_trainer_set_weight(t, 0, (float)(b->bowl.min_y + dy), &err);
        double loss = lf_trainer_evaluate(t, 0, count);
        if (k == 0)
            best = loss;
        else
            assert_true(loss > best);
    }
    /* The contour levels halve the height above the bottom, ten of them. */
    assert_int_equal(b->level_count, INSIGHT_BOWL_LEVELS);
    for (int k = 0; k < b->level_count; k++) {
        double want = b->bowl.min_loss +
                      (b->bowl.grid_max - b->bowl.min_loss) * ldexp(1.0, -(b->level_count - k));
        tu_assert_near(b->levels[k], want, 1e-12 * want);
        assert_true(b->levels[k] > b->bowl.grid_min && b->levels[k] < b->bowl.grid_max);
    }
    /* The words say how long the bowl is, from the pair's 2x2 block. */
    assert_true(isfinite(b->ratio) && b->ratio >= 1);
    char want[32];
    snprintf(want, sizeof want, "is %.1f times longer", b->ratio);
    assert_non_null(strstr(v->bowl_text, want));
    stop(&f);
}

static void test_path_is_the_runs_weights(void **state)
{
    (void)state;
    fixture f;
    start(&f, "sobel-x", 0);
    enum { STEPS = INSIGHT_PATH_MAX + 700 };
    float *wi = malloc(sizeof(float) * (STEPS + 1)), *wj = malloc(sizeof(float) * (STEPS + 1));
    lf_error err;
    /* Every step is a frame the window showed, with the views off. */
    for (int s = 0; s <= STEPS; s++) {
        if (s > 0)
            assert_int_equal(lf_trainer_step(f.setup.trainer, &err), LF_OK);
        lf_trainer_snapshot(f.setup.trainer, &f.snap, false);
        wi[s] = f.snap.learned.weights[4];
        wj[s] = f.snap.learned.weights[5];
        assert_null(insight_frame(f.in, INSIGHT_OFF, -1, &f.snap, 1, 0.01));
    }
    const insight_view *v = wait_view(&f, INSIGHT_BOWL, -1, false);
    v = insight_frame(f.in, INSIGHT_BOWL, -1, &f.snap, 1, 0.01);
    assert_non_null(v->bowl);
    assert_int_equal(v->bowl->i, 4);
    assert_int_equal(v->bowl->j, 5);
    /* Thinned once: more than half of the cap, fewer than the frames. */
    assert_true(v->path_count > INSIGHT_PATH_MAX / 2 && v->path_count < STEPS);
    /* Each point is the pair at one step, in the order of the steps. */
    int s = 0;
    for (int k = 0; k < v->path_count; k++) {
        while (s <= STEPS && !(wi[s] == v->path_x[k] && wj[s] == v->path_y[k]))
            s++;
        if (s > STEPS)
            fail_msg("path point %d (%g, %g) is not a later step's pair", k, v->path_x[k],
                     v->path_y[k]);
        s++;
    }
    /* The newest point is within a stride of the newest step. */
    assert_true(s >= STEPS - 2);
    free(wi);
    free(wj);
    stop(&f);
}

static void test_click_in_bowl_view_picks(void **state)
{
    (void)state;
    lf_error err;
    lf_snapshot snap;
    assert_int_equal(lf_snapshot_init(&snap, 8, &err), LF_OK);
    assert_int_equal(lf_kernel_from_name(&snap.target, "sobel-x", 1, &err), LF_OK);
    snap.learned = snap.target;
    layout L;
    layout_compute(&L, 1280, 720, 1);
    layout_rect grid = kernel_edit_grid(&L, LAYOUT_LEARNED, 3, 3);
    int x = grid.x + grid.w / 6, y = grid.y + 5 * grid.h / 6; /* row 2, column 0 */
    SDL_Event e = {.type = SDL_MOUSEBUTTONDOWN};
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = x;
    e.button.y = y;
    worker_req req;
    ui_state ui = {.drawn = &L, .shown = &snap};
    /* F and W are rows of the key table and toggle the views. */
    const keymap_entry *fk = keymap_find(SDLK_f, KMOD_NONE, NULL);
    const keymap_entry *wk = keymap_find(SDLK_w, KMOD_NONE, NULL);
    assert_non_null(fk);
    assert_non_null(wk);
    assert_false(input_do_action(&ui, wk->action, 0, 1, &req));
    assert_int_equal(ui.insight, INSIGHT_BOWL);
    assert_false(input_handle_event(&ui, &e, 1, &req));
    assert_true(ui.insight_picked);
    assert_int_equal(ui.insight_pick, 6);
    assert_int_equal(ui.edit.mode, KERNEL_EDIT_NONE);
    /* Without the bowl view the same click edits the cell. */
    assert_false(input_do_action(&ui, fk->action, 0, 1, &req));
    assert_int_equal(ui.insight, INSIGHT_FREQUENCY);
    ui.insight_picked = false;
    input_handle_event(&ui, &e, 1, &req);
    assert_false(ui.insight_picked);
    assert_int_not_equal(ui.edit.mode, KERNEL_EDIT_NONE);
    assert_false(input_do_action(&ui, fk->action, 0, 1, &req));
    assert_int_equal(ui.insight, INSIGHT_OFF);
    lf_snapshot_deinit(&snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sentence_is_the_cores),
        cmocka_unit_test(test_steps_estimate_is_the_cores),
        cmocka_unit_test(test_bowl_is_the_trainers_loss),
        cmocka_unit_test(test_path_is_the_runs_weights),
        cmocka_unit_test(test_click_in_bowl_view_picks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
