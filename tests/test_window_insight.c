/*
 * test_window_insight.c: F and W in the running window: the frequency
 * view's and the bowl view's panels take the image row's place (named in
 * --layout-out), a second press brings the images back, and a kernel's
 * cells stay where they were. The panels are there from the first frame
 * (showing "computing…" until the views' thread is done), so what the
 * layout holds does not depend on the machine's speed.
 */
#include "test_util.h"

#include <math.h>
#include <time.h>
#include "test_window_layout.h"
#include "test_window_util.h"

static bool has_panel(const twl_layout *L, const char *name)
{
    for (int i = 0; i < L->panel_count; i++)
        if (!strcmp(L->panels[i].name, name))
            return true;
    return false;
}

static const twl_panel *panel(const twl_layout *L, const char *name)
{
    for (int i = 0; i < L->panel_count; i++)
        if (!strcmp(L->panels[i].name, name))
            return &L->panels[i];
    fail_msg("no panel %s", name);
    return NULL;
}

/* Runs the paused window for the keys (one a frame) and reads its layout. */
static void run_keys(const char *keys, const char *kernel, twl_layout *L)
{
    char dir[256], path[320];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/layout.json", dir);
    const char *args[] = {"--images", LF_SOURCE_DATA_DIR, "--size", "64", "--paused",
                          "--kernel", kernel, "--press", keys, "--frames", "8",
                          "--layout-out", path};
    assert_int_equal(tw_run(NULL, NULL, args, 13), EXIT_OK);
    twl_read(path, L);
    tu_remove_tree(dir);
}

static void test_frequency_view_takes_the_image_row(void **state)
{
    (void)state;
    static twl_layout plain, freq, again;
    run_keys("A", "sobel-x", &plain); /* a key the window does not take */
    run_keys("F", "sobel-x", &freq);
    run_keys("F,F", "sobel-x", &again);
    static const char *const spectra[] = {"spectrum_true", "spectrum_learned", "spectrum_diff",
                                          "photo_power", "insight_text"};
    for (int i = 0; i < 5; i++) {
        assert_false(has_panel(&plain, spectra[i]));
        assert_true(has_panel(&freq, spectra[i]));
        assert_false(has_panel(&again, spectra[i]));
    }
    /* The images are gone while it shows, and back after a second F. */
    assert_true(has_panel(&plain, "input") && has_panel(&plain, "residual"));
    assert_false(has_panel(&freq, "input") || has_panel(&freq, "residual"));
    assert_true(has_panel(&again, "input") && has_panel(&again, "residual"));
    /* Four panels side by side below the kernels, which stay put. */
    const twl_panel *learned = panel(&freq, "learned"), *before = panel(&plain, "learned");
    assert_int_equal(learned->x, before->x);
    assert_int_equal(learned->y, before->y);
    assert_int_equal(learned->w, before->w);
    const twl_panel *t = panel(&freq, "spectrum_true"), *p = panel(&freq, "photo_power");
    assert_true(t->y >= learned->y + learned->h);
    assert_int_equal(p->y, t->y);
    assert_true(p->x > t->x + 2 * t->w);
    assert_true(p->x + p->w <= freq.width);
}

static void test_bowl_view_takes_the_image_row(void **state)
{
    (void)state;
    static twl_layout bowl, both;
    run_keys("W", "sobel-x", &bowl);
    assert_true(has_panel(&bowl, "bowl") && has_panel(&bowl, "bowl_text"));
    assert_false(has_panel(&bowl, "input") || has_panel(&bowl, "spectrum_true"));
    /* W then F: one view at a time, the last asked for. */
    run_keys("W,F", "sobel-x", &both);
    assert_false(has_panel(&both, "bowl"));
    assert_true(has_panel(&both, "spectrum_true"));
    /* The bowl's words say how to pick the weights. */
    bool told = false;
    for (int i = 0; i < bowl.text_count; i++)
        told |= !strcmp(bowl.texts[i].panel, "bowl_text") &&
                strstr(bowl.texts[i].text, "Click two cells") != NULL;
    assert_true(told);
    /* A kernel beyond 7x7 gets the view and says the bowl is not for it. */
    static twl_layout big;
    run_keys("W", "gaussian", &big);
    assert_true(has_panel(&big, "bowl_text"));
    bool said = false;
    for (int i = 0; i < big.text_count; i++)
        said |= strstr(big.texts[i].text, "up to 7x7") != NULL;
    assert_true(said);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frequency_view_takes_the_image_row),
        cmocka_unit_test(test_bowl_view_takes_the_image_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
