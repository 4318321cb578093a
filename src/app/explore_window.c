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

int explore_action_for_key(SDL_Keycode key, const explore_state *s)
{
    switch (key) {
    case SDLK_TAB:
        return EXPLORE_NEXT_VIEW;
    case SDLK_RIGHT:
        return s->view == EXPLORE_VIEW_SIGNAL ? EXPLORE_SIGNAL_NEXT_WINDOW : EXPLORE_NEXT_KIND;
    case SDLK_LEFT:
        return s->view == EXPLORE_VIEW_SIGNAL ? EXPLORE_SIGNAL_NEXT_WINDOW : EXPLORE_PREV_KIND;
    case SDLK_UP:
        return s->view == EXPLORE_VIEW_SIGNAL ? EXPLORE_SIGNAL_NEXT_TAPS : EXPLORE_GROW;
    case SDLK_DOWN:
        return s->view == EXPLORE_VIEW_SIGNAL ? EXPLORE_SIGNAL_NEXT_TAPS : EXPLORE_SHRINK;
    case SDLK_RIGHTBRACKET:
        return EXPLORE_STRIDE_UP;
    case SDLK_LEFTBRACKET:
        return EXPLORE_STRIDE_DOWN;
    case SDLK_r:
        return EXPLORE_NEXT_REPEAT;
    case SDLK_p:
        return EXPLORE_TOGGLE_PADDING;
    case SDLK_l:
        return EXPLORE_TOGGLE_SHAPE;
    case SDLK_i:
        return EXPLORE_NEXT_IMAGE;
    case SDLK_c:
        return EXPLORE_NEXT_COMPARE;
    case SDLK_d:
        return EXPLORE_NEXT_DISPLAY;
    case SDLK_n:
    case SDLK_SPACE:
        return EXPLORE_LENS_STEP;
    case SDLK_b:
    case SDLK_BACKSPACE:
        return EXPLORE_LENS_BACK;
    case SDLK_RETURN:
        return EXPLORE_LENS_PLAY;
    case SDLK_w:
        return EXPLORE_SIGNAL_NEXT_WINDOW;
    case SDLK_t:
        return EXPLORE_SIGNAL_NEXT_TAPS;
    default:
        return -1;
    }
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

bool explore_session_event(explore_session *x, const SDL_Event *e, int draw_w, int draw_h,
                           int win_w, int win_h)
{
    if (e->type == SDL_KEYDOWN && !e->key.repeat && e->key.keysym.sym == EXPLORE_TOGGLE_KEY) {
        x->active = !x->active;
        x->state.lens_playing = false;
        return true;
    }
    if (!x->active)
        return false;
    switch (e->type) {
    case SDL_KEYDOWN:
        if (e->key.keysym.sym == SDLK_ESCAPE) {
            x->active = false;
            return true;
        }
        /* Quit, help, fullscreen and the UI scale stay the window's. */
        if (e->key.keysym.sym == SDLK_q || e->key.keysym.sym == SDLK_h ||
            e->key.keysym.sym == SDLK_F11 || (e->key.keysym.mod & KMOD_CTRL))
            return false;
        act(x, explore_action_for_key(e->key.keysym.sym, &x->state));
        return true;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) {
            int mx = win_w > 0 ? e->button.x * draw_w / win_w : e->button.x;
            int my = win_h > 0 ? e->button.y * draw_h / win_h : e->button.y;
            act(x, explore_hit(&x->layout, mx, my));
        }
        return true;
    case SDL_DROPFILE: {
        lf_error err;
        if (explore_add_photo(&x->state, e->drop.file, &err) != LF_OK)
            snprintf(x->state.message, sizeof x->state.message, "%s", err.message);
        return true;
    }
    default:
        return false;
    }
}

void explore_session_frame(explore_session *x, text_ctx *t, double now, int draw_w, int draw_h,
                           int mouse_x, int mouse_y)
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
}
