/*
 * explore_window.c: the explore mode's place in the window
 * (explore_window.h): the keys, the clicks, the lens's pace, and the
 * photographs it starts with.
 */
#define _POSIX_C_SOURCE 200809L
#include "explore_window.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "learnfilter/image.h"

/* Most photographs explore lists from a folder. */
#define EXPLORE_MAX_PHOTOS 64

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The photos of a folder, sorted by name; malloc'ed paths into paths
 * (capacity entries). Returns how many. */
static int folder_photos(const char *dir, char **paths, int capacity)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *entry;
    while (n < capacity && (entry = readdir(d)) != NULL) {
        if (entry->d_name[0] == '.' || !lf_image_path_is_supported(entry->d_name))
            continue;
        size_t size = strlen(dir) + strlen(entry->d_name) + 2;
        char *path = malloc(size);
        if (!path)
            break;
        snprintf(path, size, "%s/%s", dir, entry->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        paths[n++] = path;
    }
    closedir(d);
    qsort(paths, (size_t)n, sizeof *paths, compare_names);
    return n;
}

bool explore_session_init(explore_session *x, SDL_Renderer *renderer, const char *data_dir,
                          const char *const *photo_paths, int photo_count, lf_error *err)
{
    memset(x, 0, sizeof *x);
    const char *files[EXPLORE_MAX_PHOTOS];
    char *owned[EXPLORE_MAX_PHOTOS];
    int n = 0, owned_count = 0;
    for (int i = 0; i < photo_count && n < EXPLORE_MAX_PHOTOS; i++) {
        struct stat st;
        if (stat(photo_paths[i], &st) == 0 && S_ISREG(st.st_mode))
            files[n++] = photo_paths[i];
    }
    if (n == 0 && data_dir) {
        owned_count = folder_photos(data_dir, owned, EXPLORE_MAX_PHOTOS);
        for (int i = 0; i < owned_count; i++)
            files[n++] = owned[i];
    }
    lf_status st = explore_init(&x->state, files, n, err);
    for (int i = 0; i < owned_count; i++)
        free(owned[i]);
    if (st != LF_OK)
        return false;
    x->draw = explore_draw_create(renderer, err);
    if (!x->draw) {
        explore_deinit(&x->state);
        return false;
    }
    return true;
}

void explore_session_deinit(explore_session *x)
{
    explore_draw_destroy(x->draw);
    explore_deinit(&x->state);
    memset(x, 0, sizeof *x);
}

/* Every explore key, once: the key handler and the help overlay both
 * read this table. view -1: in every view; otherwise only there (the
 * arrows mean something else in the 1-D view). */
static const struct explore_key {
    SDL_Keycode key;
    int view;
    explore_action action;
    const char *key_name, *help;
} explore_keys[] = {
    {SDLK_TAB, -1, EXPLORE_NEXT_VIEW, "Tab", "next view: picture, lens, 1-D"},
    {SDLK_RIGHT, EXPLORE_VIEW_SIGNAL, EXPLORE_SIGNAL_NEXT_WINDOW, "\xE2\x86\x90 \xE2\x86\x92 / W",
     "1-D: next window (Hann, exponential, flat top, box, Gaussian)"},
    {SDLK_LEFT, EXPLORE_VIEW_SIGNAL, EXPLORE_SIGNAL_NEXT_WINDOW, NULL, NULL},
    {SDLK_w, -1, EXPLORE_SIGNAL_NEXT_WINDOW, NULL, NULL},
    {SDLK_UP, EXPLORE_VIEW_SIGNAL, EXPLORE_SIGNAL_NEXT_TAPS, "\xE2\x86\x91 \xE2\x86\x93 / T",
     "1-D: window size 10, 50, 100 taps"},
    {SDLK_DOWN, EXPLORE_VIEW_SIGNAL, EXPLORE_SIGNAL_NEXT_TAPS, NULL, NULL},
    {SDLK_t, -1, EXPLORE_SIGNAL_NEXT_TAPS, NULL, NULL},
    {SDLK_RIGHT, -1, EXPLORE_NEXT_KIND, "\xE2\x86\x90 \xE2\x86\x92",
     "operation: kernel, sum, mean, max, min, median"},
    {SDLK_LEFT, -1, EXPLORE_PREV_KIND, NULL, NULL},
    {SDLK_UP, -1, EXPLORE_GROW, "\xE2\x86\x91 \xE2\x86\x93",
     "window size, or the next kernel of the catalog"},
    {SDLK_DOWN, -1, EXPLORE_SHRINK, NULL, NULL},
    {SDLK_RIGHTBRACKET, -1, EXPLORE_STRIDE_UP, "[ ]", "stride down and up"},
    {SDLK_LEFTBRACKET, -1, EXPLORE_STRIDE_DOWN, NULL, NULL},
    {SDLK_r, -1, EXPLORE_NEXT_REPEAT, "R", "repeat 1, 2, 3, 10 times"},
    {SDLK_p, -1, EXPLORE_TOGGLE_PADDING, "P", "padding: same (zeros around) or valid (none)"},
    {SDLK_l, -1, EXPLORE_TOGGLE_SHAPE, "L", "window: square or the slides' plus-shaped lens"},
    {SDLK_i, -1, EXPLORE_NEXT_IMAGE, "I", "next image: the photos, then the slides' grids"},
    {SDLK_c, -1, EXPLORE_NEXT_COMPARE, "C", "compare: box sizes, repeats, median, Gaussians, edges"},
    {SDLK_d, -1, EXPLORE_NEXT_DISPLAY, "D", "colours: auto, signed, |value|, gray"},
    {SDLK_n, -1, EXPLORE_LENS_STEP, "N / Space", "lens: one position forward"},
    {SDLK_SPACE, -1, EXPLORE_LENS_STEP, NULL, NULL},
    {SDLK_b, -1, EXPLORE_LENS_BACK, "B", "lens: one position back"},
    {SDLK_BACKSPACE, -1, EXPLORE_LENS_BACK, NULL, NULL},
    {SDLK_RETURN, -1, EXPLORE_LENS_PLAY, "Enter", "lens: play or pause the sliding"},
    {SDLK_e, -1, EXPLORE_LEARN_THIS, "E",
     "learn this: a network trains on the operation (back to training)"},
};

int explore_action_for_key(SDL_Keycode key, const explore_state *s)
{
    for (size_t i = 0; i < sizeof explore_keys / sizeof explore_keys[0]; i++)
        if (explore_keys[i].key == key &&
            (explore_keys[i].view < 0 || explore_keys[i].view == (int)s->view))
            return (int)explore_keys[i].action;
    return -1;
}

int explore_help_lines(const char **keys, const char **helps, int capacity)
{
    int n = 0;
    for (size_t i = 0; i < sizeof explore_keys / sizeof explore_keys[0] && n < capacity; i++)
        if (explore_keys[i].help) {
            keys[n] = explore_keys[i].key_name;
            helps[n] = explore_keys[i].help;
            n++;
        }
    return n;
}

/* The lens steps when asked, so a view change to it shows position 1. */
static void act(explore_session *x, int action)
{
    if (action < 0)
        return;
    if ((action == EXPLORE_LENS_STEP || action == EXPLORE_LENS_BACK) &&
        x->state.view != EXPLORE_VIEW_LENS)
        x->state.view = EXPLORE_VIEW_LENS;
    explore_apply(&x->state, (explore_action)action);
    x->next_lens_step = 0; /* a play starts with a step at once */
}

/* Keys while a kernel cell is being typed into: the number's characters
 * come as text; Enter keeps it, Esc drops it, Backspace erases. */
static bool edit_key(explore_session *x, SDL_Keycode key)
{
    explore_state *s = &x->state;
    if (key == SDLK_RETURN || key == SDLK_KP_ENTER || key == SDLK_TAB)
        explore_edit_commit(s);
    else if (key == SDLK_ESCAPE)
        explore_edit_cancel(s);
    else if (key == SDLK_BACKSPACE)
        explore_edit_erase(s);
    return true; /* letters are not explore keys while typing */
}

/* True for a file explore reads as a kernel rather than a picture. */
static bool is_kernel_file(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && (!strcmp(dot, ".txt") || !strcmp(dot, ".npy") || !strcmp(dot, ".csv"));
}

static void click(explore_session *x, int mx, int my)
{
    explore_state *s = &x->state;
    int image = explore_hit_thumb(&x->layout, mx, my);
    int cell = explore_hit_kernel_cell(&x->layout, mx, my);
    if (s->edit_cell >= 0 && cell != s->edit_cell)
        explore_edit_commit(s); /* clicking elsewhere keeps what was typed */
    if (image >= 0)
        explore_show_image(s, image);
    else if (cell >= 0)
        explore_edit_begin(s, cell);
    else
        act(x, explore_hit(&x->layout, mx, my));
}

bool explore_session_event(explore_session *x, const SDL_Event *e, int draw_w, int draw_h,
                           int win_w, int win_h)
{
    explore_state *s = &x->state;
    /* Shift+X is the training window's random filters (keymap.c), not this. */
    if (e->type == SDL_KEYDOWN && !e->key.repeat && e->key.keysym.sym == EXPLORE_TOGGLE_KEY &&
        !(e->key.keysym.mod & KMOD_SHIFT) && !(x->active && s->edit_cell >= 0)) {
        x->active = !x->active;
        s->lens_playing = false;
        return true;
    }
    if (!x->active)
        return false;
    switch (e->type) {
    case SDL_KEYDOWN:
        if (s->edit_cell >= 0)
            return edit_key(x, e->key.keysym.sym);
        if (e->key.keysym.sym == SDLK_ESCAPE) {
            x->active = false;
            return true;
        }
        /* Quit, help, fullscreen and the UI scale stay the window's. */
        if (e->key.keysym.sym == SDLK_q || e->key.keysym.sym == SDLK_h ||
            e->key.keysym.sym == SDLK_F11 || (e->key.keysym.mod & KMOD_CTRL))
            return false;
        act(x, explore_action_for_key(e->key.keysym.sym, s));
        return true;
    case SDL_TEXTINPUT:
        explore_edit_type(s, e->text.text);
        return true;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT)
            click(x, win_w > 0 ? e->button.x * draw_w / win_w : e->button.x,
                  win_h > 0 ? e->button.y * draw_h / win_h : e->button.y);
        return true;
    case SDL_DROPFILE: {
        lf_error err;
        lf_status st = is_kernel_file(e->drop.file) ? explore_load_kernel(s, e->drop.file, &err)
                                                    : explore_add_photo(s, e->drop.file, &err);
        if (st != LF_OK)
            snprintf(s->message, sizeof s->message, "%s", err.message);
        return true;
    }
    default:
        return false;
    }
}

void explore_session_frame(explore_session *x, text_ctx *t, double now, int draw_w, int draw_h,
                           int mouse_x, int mouse_y, bool show_help)
{
    explore_state *s = &x->state;
    if (s->lens_playing && s->view == EXPLORE_VIEW_LENS && now >= x->next_lens_step) {
        explore_apply(s, EXPLORE_LENS_STEP);
        x->next_lens_step = now + EXPLORE_LENS_SECONDS_PER_STEP;
    }
    lf_error err;
    explore_update(s, &err); /* a refusal stays in s->message */
    explore_layout_compute(&x->layout, s, t, draw_w, draw_h);
    explore_draw_frame(x->draw, t, s, &x->layout, mouse_x, mouse_y);
    if (show_help) {
        const char *keys[EXPLORE_HELP_MAX_LINES], *helps[EXPLORE_HELP_MAX_LINES];
        int n = explore_help_lines(keys, helps, EXPLORE_HELP_MAX_LINES);
        explore_draw_help(x->draw, t, &x->layout, keys, helps, n);
    }
}
