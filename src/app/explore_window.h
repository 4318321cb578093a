/*
 * explore_window.h: the explore mode inside the training window. The
 * window hands every event here first; while exploring, this session takes
 * the keys and clicks and draws the frame, and the training keeps running
 * (or stays paused) behind it. X (or the --explore option) switches.
 *
 * The keys are one table in explore_window.c, which feeds the key
 * handler and the help overlay (H); every key is also a button on screen.
 */
#ifndef LEARNFILTER_EXPLORE_WINDOW_H
#define LEARNFILTER_EXPLORE_WINDOW_H

#include <SDL.h>
#include <stdbool.h>

#include "explore.h"
#include "explore_draw.h"
#include "text.h"

/* How long the lens rests on each position while playing: long enough
 * for a class to read the arithmetic aloud. */
#define EXPLORE_LENS_SECONDS_PER_STEP 1.2

typedef struct explore_session {
    explore_state state;
    explore_layout layout;
    explore_draw *draw;
    bool active;
    double next_lens_step; /* when playing */
} explore_session;

/* Sets up explore over the photos: photo_paths (files; folders are
 * skipped), or the bundled photographs in data_dir when there are none.
 * false with the reason in err. */
bool explore_session_init(explore_session *x, SDL_Renderer *renderer, const char *data_dir,
                          const char *const *photo_paths, int photo_count, lf_error *err);
void explore_session_deinit(explore_session *x);

/* The key that switches between training and exploring. */
#define EXPLORE_TOGGLE_KEY SDLK_x

/* Offers an event: true when explore took it (the window then ignores
 * it). Mouse positions are scaled from window to drawable pixels with
 * (draw_w / win_w, draw_h / win_h). */
bool explore_session_event(explore_session *x, const SDL_Event *e, int draw_w, int draw_h,
                           int win_w, int win_h);

/* Advances the lens when playing, recomputes what changed and draws the
 * explore screen at draw_w x draw_h, with the key help over it when
 * show_help. */
void explore_session_frame(explore_session *x, text_ctx *t, double now, int draw_w, int draw_h,
                           int mouse_x, int mouse_y, bool show_help);

/* The explore action for an SDL key in the state's view, or -1. */
int explore_action_for_key(SDL_Keycode key, const explore_state *s);

/* The help overlay's lines, from the same table the keys come from: up to
 * capacity key names and what they do; returns how many. */
int explore_help_lines(const char **keys, const char **helps, int capacity);

#endif
