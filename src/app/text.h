/*
 * text.h: drawing text with SDL_ttf, without SDL_ttf in the frame loop.
 *
 * Each font is rendered once, glyph by glyph, into an atlas texture (the
 * printable Latin-1 range plus a few symbols the window uses: arrows, the
 * minus sign, the ellipsis). Drawing a string is then one texture copy per
 * character, so numbers that change every frame (loss, steps per second)
 * cost no TTF call, no surface and no allocation. Kerning is given up for
 * that; DejaVu's digits are all one width, so changing numbers do not jiggle.
 *
 * An atlas belongs to one renderer: create a text_ctx for each renderer that
 * draws text (the window's, a software renderer for screenshots).
 */
#ifndef LEARNFILTER_TEXT_H
#define LEARNFILTER_TEXT_H

#include <SDL.h>
#include <stdbool.h>

#include "learnfilter/error.h"

/* Pixel sizes at UI scale 1; every size up to TEXT_VALUE_10 is multiplied
 * by the scale. The value fonts are not: they print the numbers in kernel
 * cells at fixed pixel sizes chosen by the cell's size, so a bigger UI scale
 * (which the layout answers with fewer, larger panels) never makes those
 * numbers smaller. The value fonts hold only what numbers need (digits,
 * point, minus signs, "e", "NaN", "inf"). */
typedef enum text_font {
    TEXT_SMALL = 0, /* tick labels, 11 px */
    TEXT_BODY,      /* labels and help, 13 px */
    TEXT_TITLE,     /* panel titles, 14 px bold */
    TEXT_MONO,      /* the recording marker, 13 px DejaVu Sans Mono */
    TEXT_STATUS,    /* the status line, 16 px */
    TEXT_NOTICE,    /* large notices (a new rate, a restart), 26 px bold */
    TEXT_VALUE_10,  /* fixed sizes from here on: 10 px */
    TEXT_VALUE_12,
    TEXT_VALUE_14,
    TEXT_VALUE_16,
    TEXT_VALUE_18,
    TEXT_VALUE_20,
    TEXT_VALUE_24,
    TEXT_VALUE_28,
    TEXT_VALUE_32,
    TEXT_VALUE_40,
    TEXT_VALUE_48,
    TEXT_VALUE_56,
    TEXT_FONT_COUNT
} text_font;

#define TEXT_VALUE_FIRST TEXT_VALUE_10
#define TEXT_VALUE_LAST TEXT_VALUE_56

typedef enum text_align { TEXT_LEFT = 0, TEXT_CENTER, TEXT_RIGHT } text_align;

typedef struct text_ctx text_ctx;

/* Opens the fonts in assets_dir and builds the atlases for scale. NULL on
 * failure, with the reason in err (LF_ERR_INPUT: a font missing or
 * unreadable; LF_ERR_NOMEM). The caller owns the result. */
text_ctx *text_create(SDL_Renderer *renderer, const char *assets_dir, float scale, lf_error *err);
void text_destroy(text_ctx *t);
/* Rebuilds the atlases for another scale (a key press, not every frame). */
bool text_set_scale(text_ctx *t, float scale);
float text_scale(const text_ctx *t);

/* Width in pixels of a UTF-8 string, and the line height of a font. */
int text_width(const text_ctx *t, text_font font, const char *utf8);
int text_line_height(const text_ctx *t, text_font font);

/* The font's size in pixels (as asked of SDL_ttf), after the scale. */
int text_font_pixels(const text_ctx *t, text_font font);

/* Called by text_draw with every string drawn and its box (left, top, width,
 * line height), for tools that check the layout. NULL: none. */
typedef void (*text_observer)(void *user, const char *utf8, text_font font, SDL_Rect box);
void text_set_observer(text_ctx *t, text_observer observer, void *user);

/* Draws utf8 with its top at y; x is the left edge, centre or right edge
 * according to align. Returns the width drawn. Characters without a glyph
 * are drawn as '?'. */
int text_draw(text_ctx *t, text_font font, int x, int y, const char *utf8, SDL_Color color,
              text_align align);

#endif
