/*
 * test_window_layout.h: reads back what --layout-out wrote: the last
 * frame's size and scale, every panel's box and every drawn text with its
 * box, font size and panel (src/app/render_record.c writes it). A small
 * reader for that one shape of JSON, so the window tests can ask what a
 * user saw in words and pixels.
 *
 * Usage:
 *   twl_layout L;
 *   twl_read("layout.json", &L);           // fails the test if unreadable
 *   const twl_text *t = twl_find_panel(&L, "chart", 0);
 *
 * Include after <cmocka.h>.
 */
#ifndef LEARNFILTER_TEST_WINDOW_LAYOUT_H
#define LEARNFILTER_TEST_WINDOW_LAYOUT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define TWL_TEXTS 600
#define TWL_PANELS 32

typedef struct twl_text {
    char text[160];
    int x, y, w, h, px;
    char font[16];
    char panel[32];
} twl_text;

typedef struct twl_panel {
    char name[32];
    int x, y, w, h;
} twl_panel;

typedef struct twl_layout {
    int width, height;
    double scale;
    twl_panel panels[TWL_PANELS];
    int panel_count;
    twl_text texts[TWL_TEXTS];
    int text_count;
} twl_layout;

/* Reads a JSON string at *p (at its opening quote) into out (capacity
 * size, cut there) and moves *p past it. \uXXXX escapes (control bytes
 * only, in this file) become '?'. */
static inline void twl_string(const char **p, char *out, size_t size)
{
    const char *s = *p;
    assert_true(*s == '"');
    s++;
    size_t n = 0;
    while (*s && *s != '"') {
        char c = *s++;
        if (c == '\\') {
            c = *s++;
            if (c == 'u') {
                c = '?';
                for (int i = 0; i < 4 && *s; i++)
                    s++;
            }
        }
        if (n + 1 < size)
            out[n++] = c;
    }
    out[n] = 0;
    assert_true(*s == '"');
    *p = s + 1;
}

/* The integer after "key": at or after *p; moves *p past it. */
static inline int twl_int(const char **p, const char *key)
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *at = strstr(*p, pattern);
    assert_non_null(at);
    const char *num = at + strlen(pattern);
    long v = strtol(num, NULL, 10);
    if (*num == '-')
        num++;
    while (*num >= '0' && *num <= '9')
        num++;
    *p = num;
    return (int)v;
}

/* The string after "key": at or after *p. */
static inline void twl_field(const char **p, const char *key, char *out, size_t size)
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *at = strstr(*p, pattern);
    assert_non_null(at);
    *p = at + strlen(pattern);
    twl_string(p, out, size);
}

static inline void twl_read(const char *path, twl_layout *L)
{
    memset(L, 0, sizeof *L);
    char *json = tu_read_file(path, NULL);
    if (!json)
        fail_msg("%s: cannot read the layout", path);
    const char *p = json;
    L->width = twl_int(&p, "width");
    L->height = twl_int(&p, "height");
    const char *scale = strstr(json, "\"scale\": ");
    assert_non_null(scale);
    L->scale = atof(scale + 9);
    const char *panels = strstr(json, "\"panels\": [");
    const char *buttons = strstr(json, "\"buttons\": [");
    const char *texts = strstr(json, "\"texts\": [");
    assert_non_null(panels);
    assert_non_null(buttons);
    assert_non_null(texts);
    p = panels;
    for (const char *at; (at = strstr(p, "{\"name\": ")) && at < buttons;) {
        assert_true(L->panel_count < TWL_PANELS);
        twl_panel *q = &L->panels[L->panel_count++];
        p = at;
        twl_field(&p, "name", q->name, sizeof q->name);
        q->x = twl_int(&p, "x");
        q->y = twl_int(&p, "y");
        q->w = twl_int(&p, "w");
        q->h = twl_int(&p, "h");
    }
    p = texts;
    for (const char *at; (at = strstr(p, "{\"text\": "));) {
        assert_true(L->text_count < TWL_TEXTS);
        twl_text *t = &L->texts[L->text_count++];
        p = at;
        twl_field(&p, "text", t->text, sizeof t->text);
        t->x = twl_int(&p, "x");
        t->y = twl_int(&p, "y");
        t->w = twl_int(&p, "w");
        t->h = twl_int(&p, "h");
        t->px = twl_int(&p, "px");
        twl_field(&p, "font", t->font, sizeof t->font);
        twl_field(&p, "panel", t->panel, sizeof t->panel);
    }
    free(json);
}

/* The index-th text drawn in panel, or NULL. */
static inline const twl_text *twl_find_panel(const twl_layout *L, const char *panel, int index)
{
    for (int i = 0; i < L->text_count; i++)
        if (!strcmp(L->texts[i].panel, panel) && index-- == 0)
            return &L->texts[i];
    return NULL;
}

/* The first text exactly equal to text, or NULL. */
static inline const twl_text *twl_find_text(const twl_layout *L, const char *text)
{
    for (int i = 0; i < L->text_count; i++)
        if (!strcmp(L->texts[i].text, text))
            return &L->texts[i];
    return NULL;
}

/* A leading '-' as the window prints it: the minus sign U+2212. */
static inline void twl_minus(char *s, size_t size)
{
    size_t n = strlen(s);
    if (s[0] != '-' || n + 3 > size)
        return;
    memmove(s + 3, s + 1, n);
    memcpy(s, "\xe2\x88\x92", 3);
}

#endif
