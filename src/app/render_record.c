/*
 * render_record.c: what a frame drew, for tools: every panel's box and
 * every drawn text's box, font size and panel, and whether the text ran
 * outside the clip rectangle it was drawn under. The window writes it as
 * JSON after its last frame (--layout-out), and tests/check_layout.py
 * checks from it that no text overlaps another, leaves the window or is
 * cut, and that text stays readable. Nothing is recorded unless asked, and
 * the record is allocated once, when asked, never in the frame loop.
 */
#include <stdio.h>
#include <string.h>

#include "render_internal.h"
#include "json_out.h"

static bool inside(SDL_Rect a, SDL_Rect b)
{
    return a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
}

static void observe_text(void *user, const char *utf8, text_font font, SDL_Rect box)
{
    render_ctx *r = user;
    render_record *rec = r->record;
    if (!rec)
        return;
    if (rec->text_count >= RECORD_TEXTS) {
        rec->texts_lost++;
        return;
    }
    record_text *t = &rec->texts[rec->text_count++];
    /* Kept whole up to the capacity; a longer text is cut at a character
     * boundary, which is only the record's copy. */
    size_t n = strlen(utf8);
    if (n >= sizeof t->text) {
        n = sizeof t->text - 1;
        while (n > 0 && ((unsigned char)utf8[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(t->text, utf8, n);
    t->text[n] = 0;
    t->box = box;
    t->font = font;
    t->pixels = text_font_pixels(r->text, font);
    t->panel = rec->panel ? rec->panel : "";
    SDL_Rect clip;
    SDL_RenderGetClipRect(r->renderer, &clip);
    t->clipped = SDL_RenderIsClipEnabled(r->renderer) && !inside(box, clip);
}

bool render_record_layout(render_ctx *r, bool on)
{
    if (!on) {
        text_set_observer(r->text, NULL, NULL);
        SDL_free(r->record);
        r->record = NULL;
        return true;
    }
    if (!r->record && !(r->record = SDL_calloc(1, sizeof *r->record)))
        return false;
    text_set_observer(r->text, observe_text, r);
    return true;
}

void render_record_begin(render_ctx *r)
{
    if (!r->record)
        return;
    r->record->text_count = r->record->texts_lost = r->record->panel_count = 0;
    r->record->panel = NULL;
}

void render_record_panel(render_ctx *r, const char *name, layout_rect box)
{
    render_record *rec = r->record;
    if (!rec)
        return;
    rec->panel = name;
    if (name && box.w > 0 && box.h > 0 && rec->panel_count < RECORD_PANELS)
        rec->panels[rec->panel_count++] = (record_panel){name, box};
}

int render_recorded_text_count(const render_ctx *r) { return r->record ? r->record->text_count : 0; }

bool render_recorded_text(const render_ctx *r, int i, render_text_box *out)
{
    if (!r->record || i < 0 || i >= r->record->text_count)
        return false;
    const record_text *t = &r->record->texts[i];
    *out = (render_text_box){t->text, t->box.x, t->box.y, t->box.w, t->box.h, t->pixels,
                             t->font >= TEXT_VALUE_FIRST, t->panel, t->clipped};
    return true;
}

static const char *font_role(text_font font)
{
    switch (font) {
    case TEXT_SMALL: return "small";
    case TEXT_BODY: return "body";
    case TEXT_TITLE: return "title";
    case TEXT_MONO: return "mono";
    case TEXT_STATUS: return "status";
    case TEXT_NOTICE: return "notice";
    default: return "value";
    }
}

bool render_write_layout(const render_ctx *r, const char *path, lf_error *err)
{
    const layout *L = &r->layout;
    const render_record *rec = r->record;
    if (!rec)
        return lf_fail(err, LF_ERR_ARGUMENT, "--layout-out: nothing was recorded"), false;
    FILE *f = fopen(path, "w");
    if (!f)
        return lf_fail(err, LF_ERR_IO, "--layout-out: cannot write %s", path), false;
    fprintf(f, "{\"width\": %d, \"height\": %d, \"scale\": %.4g, \"value_px\": %d, "
               "\"arrangement\": %d, \"present\": %s, \"texts_lost\": %d,\n \"panels\": [",
            L->width, L->height, (double)L->scale, L->value_px, (int)L->arrangement,
            L->present ? "true" : "false",
            rec->texts_lost);
    for (int i = 0; i < rec->panel_count; i++) {
        const record_panel *p = &rec->panels[i];
        fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
        json_out_string(f, p->name);
        fprintf(f, ", \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d}", p->box.x, p->box.y, p->box.w,
                p->box.h);
    }
    fprintf(f, "],\n \"buttons\": [");
    for (int i = 0, n = 0; i < r->bar.count; i++) {
        const button *b = &r->bar.items[i];
        if (b->rect.w < 1)
            continue;
        fprintf(f, "%s\n  {\"name\": ", n++ ? "," : "");
        json_out_string(f, b->name);
        fprintf(f, ", \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"label\": ", b->rect.x,
                b->rect.y, b->rect.w, b->rect.h);
        json_out_string(f, b->label);
        fprintf(f, ", \"key\": ");
        json_out_string(f, b->key);
        fprintf(f, "}");
    }
    fprintf(f, "],\n \"texts\": [");
    for (int i = 0; i < rec->text_count; i++) {
        const record_text *t = &rec->texts[i];
        fprintf(f, "%s\n  {\"text\": ", i ? "," : "");
        json_out_string(f, t->text);
        fprintf(f, ", \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"px\": %d, \"font\": \"%s\", "
                   "\"panel\": ",
                t->box.x, t->box.y, t->box.w, t->box.h, t->pixels, font_role(t->font));
        json_out_string(f, t->panel);
        fprintf(f, ", \"clipped\": %s}", t->clipped ? "true" : "false");
    }
    fprintf(f, "]}\n");
    bool ok = !ferror(f);
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        lf_fail(err, LF_ERR_IO, "--layout-out: cannot write %s", path);
    return ok;
}
