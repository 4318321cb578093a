/*
 * buttons.h: the training window's on-screen buttons, for a mouse, a touch
 * screen or a student who does not know the keys.
 *
 * Every button is a row of the key table (keymap.h): clicking it carries
 * out the same action as its key, through the same code (input.c), so a
 * click and a key press make the same request. Its label names the key
 * ("Step  N"), and hovering shows the key table's help line.
 *
 * Placement is arithmetic over text widths: the buttons flow left to right
 * across the layout's button bar, in table order, with a wider gap between
 * groups (run, speed, rate, optimizer, kernel, record). When they do not
 * fit, the key names are left out first, then the least needed buttons,
 * never cut or overlapped.
 *
 *   button_bar bar;
 *   buttons_place(&bar, L.buttons, text, scale, &state);
 *   int i = buttons_hit(&bar, x, y);   // -1 or a button; bar.items[i].action
 */
#ifndef LEARNFILTER_BUTTONS_H
#define LEARNFILTER_BUTTONS_H

#include <SDL.h>
#include <stdbool.h>

#include "keymap.h"
#include "layout.h"
#include "text.h"

#define BUTTONS_MAX 16 /* buttons a bar holds */
#define BUTTONS_LABEL_MAX 48

/* What the labels depend on: a paused run offers "Play", a recording "Stop". */
typedef struct buttons_state {
    bool running;   /* training: the first button pauses */
    bool recording; /* a movie is being recorded: the record button stops it */
} buttons_state;

typedef struct button {
    const char *name;     /* stable, for tools and tests: "pause", "step", ... */
    keymap_action action; /* the key table's row it carries out */
    char label[BUTTONS_LABEL_MAX]; /* what it says, e.g. "Pause" */
    char key[16];         /* the key's name, e.g. "Space" */
    bool show_key;        /* the key is drawn beside the label (when room) */
    layout_rect rect;     /* drawable pixels; zero: left out for want of room */
} button;

typedef struct button_bar {
    int count;
    button items[BUTTONS_MAX];
} button_bar;

/* Lays the buttons out in area (drawable pixels) with t's fonts. */
void buttons_place(button_bar *bar, layout_rect area, const text_ctx *t, float scale,
                   const buttons_state *state);

/* The button under (x, y) in drawable pixels, or -1. */
int buttons_hit(const button_bar *bar, int x, int y);

/* The button named so, or NULL. */
const button *buttons_find(const button_bar *bar, const char *name);

/* The first key of an action's row in the key table as the help names it
 * ("N" of "N  or  ."), into out of size bytes. */
void buttons_key_name(keymap_action action, char *out, int size);

/* Draws the bar; the button under the mouse is lit. The drawing is the
 * one explore's buttons use too (buttons_draw_one). */
void buttons_draw(const button_bar *bar, SDL_Renderer *renderer, text_ctx *t, int mouse_x,
                  int mouse_y, bool mouse_inside);
void buttons_draw_one(SDL_Renderer *renderer, text_ctx *t, layout_rect rect, const char *label,
                      const char *key, bool lit);

/* The hovered button's help line (from the key table) in a box above it,
 * kept inside the window. */
void buttons_draw_tooltip(const button_bar *bar, SDL_Renderer *renderer, text_ctx *t, int width,
                          int mouse_x, int mouse_y);

#endif
