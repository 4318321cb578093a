/*
 * buttons.c: the training window's buttons: which there are, where they go,
 * which one a click hits, and how a button looks (explore's buttons are
 * drawn the same way). See buttons.h.
 */
#include "buttons.h"

#include <stdio.h>
#include <string.h>

static const SDL_Color fill = {48, 54, 66, 255}, fill_lit = {70, 80, 100, 255},
                       edge = {90, 100, 120, 255}, ink = {235, 238, 245, 255},
                       dim = {160, 168, 185, 255}, tip_fill = {20, 22, 28, 240};

/* The buttons in the order they appear; group changes put a wider gap
 * between neighbours; priority says which go first when the bar is too
 * narrow for all (higher is left out first). */
typedef struct button_def {
    const char *name;
    keymap_action action;
    const char *label, *label_alt; /* label_alt: paused (pause) or recording (record) */
    int group, priority;
} button_def;

#define TIMES "\xc3\x97"
#define DIVIDE "\xc3\xb7"

static const button_def defs[] = {
    {"pause", KEYMAP_PAUSE, "Pause", "Play", 0, 0},
    {"step", KEYMAP_STEP, "Step", NULL, 0, 0},
    {"reset", KEYMAP_RESET, "Reset", NULL, 0, 1},
    {"slower", KEYMAP_SLOWER, "Slower", NULL, 1, 2},
    {"faster", KEYMAP_FASTER, "Faster", NULL, 1, 2},
    {"rate_down", KEYMAP_LR_DOWN, "Rate " DIVIDE "3", NULL, 2, 3},
    {"rate_up", KEYMAP_LR_UP, "Rate " TIMES "3", NULL, 2, 3},
    {"optimizer", KEYMAP_OPTIMIZER, "SGD/Adam", NULL, 3, 4},
    {"kernel_prev", KEYMAP_KERNEL_PREV, "Prev kernel", NULL, 4, 1},
    {"kernel_next", KEYMAP_KERNEL_NEXT, "Next kernel", NULL, 4, 1},
    {"record", KEYMAP_RECORD, "Record", "Stop recording", 5, 5},
};
#define DEF_COUNT ((int)(sizeof defs / sizeof defs[0]))
#define PRIORITY_LEVELS 6

void buttons_key_name(keymap_action action, char *out, int size)
{
    int count;
    const keymap_entry *rows = keymap_entries(&count);
    out[0] = 0;
    for (int i = 0; i < count; i++) {
        if (rows[i].action != action || !rows[i].keys_label)
            continue;
        const char *label = rows[i].keys_label, *end = strstr(label, "  ");
        int n = end ? (int)(end - label) : (int)strlen(label);
        snprintf(out, (size_t)size, "%.*s", n, label);
        return;
    }
}

static int scaled(float scale, int pixels)
{
    int v = (int)(pixels * scale + 0.5f);
    return v < 1 ? 1 : v;
}

/* Width of one button, with or without its key. */
static int button_width(const text_ctx *t, float scale, const button *b, bool with_key)
{
    int w = text_width(t, TEXT_BODY, b->label) + 2 * scaled(scale, 10);
    if (with_key && b->key[0])
        w += scaled(scale, 7) + text_width(t, TEXT_SMALL, b->key);
    return w;
}

/* The width of the row of buttons whose priority is at most level. */
static int row_width(const button_bar *bar, const text_ctx *t, float scale, int level,
                     bool keys)
{
    int x = 0, last_group = -1;
    for (int i = 0; i < bar->count; i++) {
        if (defs[i].priority > level)
            continue;
        if (last_group >= 0)
            x += scaled(scale, defs[i].group != last_group ? 16 : 5);
        x += button_width(t, scale, &bar->items[i], keys);
        last_group = defs[i].group;
    }
    return x;
}

void buttons_place(button_bar *bar, layout_rect area, const text_ctx *t, float scale,
                   const buttons_state *state)
{
    memset(bar, 0, sizeof *bar);
    bar->count = DEF_COUNT < BUTTONS_MAX ? DEF_COUNT : BUTTONS_MAX;
    for (int i = 0; i < bar->count; i++) {
        button *b = &bar->items[i];
        const button_def *d = &defs[i];
        bool alt = d->label_alt && ((d->action == KEYMAP_PAUSE && !state->running) ||
                                    (d->action == KEYMAP_RECORD && state->recording));
        b->name = d->name;
        b->action = d->action;
        snprintf(b->label, sizeof b->label, "%s", alt ? d->label_alt : d->label);
        buttons_key_name(d->action, b->key, (int)sizeof b->key);
    }
    if (area.w < 1 || area.h < 1)
        return;
    /* The fullest row that fits: every button with its key, then without
     * keys, then fewer buttons. */
    int level = PRIORITY_LEVELS - 1;
    bool keys = row_width(bar, t, scale, level, true) <= area.w;
    while (!keys && level >= 0 && row_width(bar, t, scale, level, false) > area.w)
        level--;
    if (level < 0)
        return;
    int x = area.x, last_group = -1;
    for (int i = 0; i < bar->count; i++) {
        button *b = &bar->items[i];
        if (defs[i].priority > level)
            continue;
        if (last_group >= 0)
            x += scaled(scale, defs[i].group != last_group ? 16 : 5);
        int w = button_width(t, scale, b, keys);
        b->show_key = keys && b->key[0];
        b->rect = (layout_rect){x, area.y, w, area.h};
        x += w;
        last_group = defs[i].group;
    }
}

int buttons_hit(const button_bar *bar, int x, int y)
{
    for (int i = 0; i < bar->count; i++)
        if (bar->items[i].rect.w > 0 && layout_contains(bar->items[i].rect, x, y))
            return i;
    return -1;
}

const button *buttons_find(const button_bar *bar, const char *name)
{
    for (int i = 0; i < bar->count; i++)
        if (strcmp(bar->items[i].name, name) == 0)
            return &bar->items[i];
    return NULL;
}

static void fill_rect(SDL_Renderer *R, layout_rect r, SDL_Color c)
{
    SDL_SetRenderDrawColor(R, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(R, &(SDL_Rect){r.x, r.y, r.w, r.h});
}

void buttons_draw_one(SDL_Renderer *R, text_ctx *t, layout_rect rect, const char *label,
                      const char *key, bool lit)
{
    fill_rect(R, rect, lit ? fill_lit : fill);
    SDL_SetRenderDrawColor(R, edge.r, edge.g, edge.b, edge.a);
    SDL_RenderDrawRect(R, &(SDL_Rect){rect.x, rect.y, rect.w, rect.h});
    int body_h = text_line_height(t, TEXT_BODY), small_h = text_line_height(t, TEXT_SMALL);
    int y = rect.y + (rect.h - body_h) / 2;
    if (!key || !key[0]) {
        text_draw(t, TEXT_BODY, rect.x + rect.w / 2, y, label, ink, TEXT_CENTER);
        return;
    }
    /* The label, then the key in the small font, centred together. */
    int gap = text_line_height(t, TEXT_SMALL) / 2;
    int w = text_width(t, TEXT_BODY, label) + gap + text_width(t, TEXT_SMALL, key);
    int x = rect.x + (rect.w - w) / 2;
    x += text_draw(t, TEXT_BODY, x, y, label, ink, TEXT_LEFT) + gap;
    text_draw(t, TEXT_SMALL, x, y + body_h - small_h, key, dim, TEXT_LEFT);
}

void buttons_draw(const button_bar *bar, SDL_Renderer *R, text_ctx *t, int mouse_x, int mouse_y,
                  bool mouse_inside)
{
    int hover = mouse_inside ? buttons_hit(bar, mouse_x, mouse_y) : -1;
    for (int i = 0; i < bar->count; i++) {
        const button *b = &bar->items[i];
        if (b->rect.w > 0)
            buttons_draw_one(R, t, b->rect, b->label, b->show_key ? b->key : NULL, i == hover);
    }
}

void buttons_draw_tooltip(const button_bar *bar, SDL_Renderer *R, text_ctx *t, int width,
                          int mouse_x, int mouse_y)
{
    int i = buttons_hit(bar, mouse_x, mouse_y);
    if (i < 0)
        return;
    const button *b = &bar->items[i];
    int count;
    const keymap_entry *rows = keymap_entries(&count);
    const keymap_entry *row = NULL;
    for (int k = 0; k < count && !row; k++)
        if (rows[k].action == b->action)
            row = &rows[k];
    if (!row)
        return;
    char tip[256];
    snprintf(tip, sizeof tip, "%s  \xc2\xb7  key: %s", row->help, row->keys_label);
    int pad = text_line_height(t, TEXT_BODY) / 3, h = text_line_height(t, TEXT_BODY) + 2 * pad;
    int w = text_width(t, TEXT_BODY, tip) + 2 * pad;
    /* Above the button (the bar is at the bottom), inside the window. */
    int x = b->rect.x + b->rect.w / 2 - w / 2, y = b->rect.y - h - pad;
    x = x + w > width ? width - w : x;
    x = x < 0 ? 0 : x;
    y = y < 0 ? 0 : y;
    fill_rect(R, (layout_rect){x, y, w, h}, tip_fill);
    SDL_SetRenderDrawColor(R, edge.r, edge.g, edge.b, edge.a);
    SDL_RenderDrawRect(R, &(SDL_Rect){x, y, w, h});
    text_draw(t, TEXT_BODY, x + pad, y + pad, tip, ink, TEXT_LEFT);
}
