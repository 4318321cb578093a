/*
 * text.c: glyph atlases over SDL_ttf. See text.h.
 */
#include "text.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <string.h>

/* Code points beyond Latin-1 that the window writes. */
static const Uint32 extra_code_points[] = {
    0x2190, 0x2191, 0x2192, 0x2193, /* arrows */
    0x2212,                         /* minus sign */
    0x2026,                         /* ellipsis */
    0x2013, 0x2014,                 /* en and em dash */
    0x2248, 0x2264, 0x2265,         /* almost equal, less and greater or equal */
    0x2016,                         /* double vertical line, for norms */
    0x25CF,                         /* black circle */
    0x230A, 0x230B,                 /* floor brackets, for output-size formulas */
    0x03A3, 0x22C6, 0x221A,         /* sigma, star, root: the hover's and step's formulas */
    0x03B2, 0x03B5, 0x03BC,         /* beta, epsilon, mu: the optimizers' constants */
    0x0394, 0x2202,                 /* Delta, partial: a step's change and gradient */
    0x03C3,                         /* sigma */
};
#define EXTRA_COUNT ((int)(sizeof extra_code_points / sizeof extra_code_points[0]))
#define GLYPH_COUNT (256 + EXTRA_COUNT)
#define ATLAS_WIDTH 1024

typedef struct glyph {
    SDL_Rect source; /* in the atlas; w == 0 when the font has no such glyph, or it
                        has no visible pixel (a space) */
    int dx, dy;      /* where source starts in the glyph's own box */
    int advance;
} glyph;

typedef struct font_atlas {
    TTF_Font *font;
    SDL_Texture *texture;
    int line_height;
    glyph glyphs[GLYPH_COUNT];
} font_atlas;

struct text_ctx {
    SDL_Renderer *renderer;
    char *assets_dir;     /* owned: a path of any length */
    float scale;
    font_atlas fonts[TEXT_FONT_COUNT];
    int pixels[TEXT_FONT_COUNT]; /* each font's size as built */
    text_observer observer;
    void *observer_user;
};

static const struct {
    const char *file;
    int pixels;
    int style;
} font_specs[TEXT_FONT_COUNT] = {
    [TEXT_SMALL] = {"DejaVuSans.ttf", 11, TTF_STYLE_NORMAL},
    [TEXT_BODY] = {"DejaVuSans.ttf", 13, TTF_STYLE_NORMAL},
    [TEXT_TITLE] = {"DejaVuSans.ttf", 14, TTF_STYLE_BOLD},
    [TEXT_MONO] = {"DejaVuSansMono.ttf", 13, TTF_STYLE_NORMAL},
    [TEXT_STATUS] = {"DejaVuSans.ttf", 16, TTF_STYLE_NORMAL},
    [TEXT_NOTICE] = {"DejaVuSans.ttf", 26, TTF_STYLE_BOLD},
    [TEXT_VALUE_10] = {"DejaVuSans.ttf", 10, TTF_STYLE_NORMAL},
    [TEXT_VALUE_12] = {"DejaVuSans.ttf", 12, TTF_STYLE_NORMAL},
    [TEXT_VALUE_14] = {"DejaVuSans.ttf", 14, TTF_STYLE_NORMAL},
    [TEXT_VALUE_16] = {"DejaVuSans.ttf", 16, TTF_STYLE_NORMAL},
    [TEXT_VALUE_18] = {"DejaVuSans.ttf", 18, TTF_STYLE_NORMAL},
    [TEXT_VALUE_20] = {"DejaVuSans.ttf", 20, TTF_STYLE_NORMAL},
    [TEXT_VALUE_24] = {"DejaVuSans.ttf", 24, TTF_STYLE_NORMAL},
    [TEXT_VALUE_28] = {"DejaVuSans.ttf", 28, TTF_STYLE_NORMAL},
    [TEXT_VALUE_32] = {"DejaVuSans.ttf", 32, TTF_STYLE_NORMAL},
    [TEXT_VALUE_40] = {"DejaVuSans.ttf", 40, TTF_STYLE_NORMAL},
    [TEXT_VALUE_48] = {"DejaVuSans.ttf", 48, TTF_STYLE_NORMAL},
    [TEXT_VALUE_56] = {"DejaVuSans.ttf", 56, TTF_STYLE_NORMAL},
};

/* The value fonts keep their size at every UI scale. */
static bool font_is_scaled(int f) { return f < TEXT_VALUE_FIRST; }

static Uint32 code_point_of(int index)
{
    return index < 256 ? (Uint32)index : extra_code_points[index - 256];
}

static int index_of(Uint32 cp)
{
    if (cp < 256)
        return (int)cp;
    for (int i = 0; i < EXTRA_COUNT; i++)
        if (extra_code_points[i] == cp)
            return 256 + i;
    return '?';
}

static void atlas_free(font_atlas *a)
{
    if (a->texture)
        SDL_DestroyTexture(a->texture);
    if (a->font)
        TTF_CloseFont(a->font);
    memset(a, 0, sizeof *a);
}

/* The smallest rectangle of a 32-bit glyph surface outside which every
 * pixel is fully transparent; w == 0 when all are. Such pixels leave what
 * they are blended onto exactly as it was, so only this part of a glyph is
 * kept and drawn: SDL_ttf's glyphs are a whole line high, and blending the
 * empty rows above and below a lowercase letter was half the text's cost
 * on the software renderer. */
static SDL_Rect visible_part(SDL_Surface *s)
{
    int x0 = s->w, y0 = s->h, x1 = -1, y1 = -1;
    Uint32 amask = s->format->Amask;
    if (s->format->BytesPerPixel != 4 || amask == 0 || SDL_LockSurface(s) != 0)
        return (SDL_Rect){0, 0, s->w, s->h}; /* not known: all of it */
    for (int y = 0; y < s->h; y++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + (long)y * s->pitch);
        for (int x = 0; x < s->w; x++)
            if (row[x] & amask) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y;
            }
    }
    SDL_UnlockSurface(s);
    return x1 < 0 ? (SDL_Rect){0, 0, 0, 0} : (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

/* Renders every glyph of one font into one texture. */
/* What the value fonts print: numbers (text_draw shows '?' for the rest).
 * Rendering only these keeps twelve sizes of them cheap to build. */
static bool is_value_glyph(Uint32 cp)
{
    return (cp >= '0' && cp <= '9') || cp == '.' || cp == '-' || cp == '?' || cp == ' ' ||
           cp == 'e' || cp == 'N' || cp == 'a' || cp == 'i' || cp == 'n' || cp == 'f' ||
           cp == '+' || cp == '|' || cp == 0x2212;
}

static bool atlas_build(font_atlas *a, SDL_Renderer *renderer, const char *path, int pixels,
                        int style, bool numbers_only, lf_error *err)
{
    memset(a, 0, sizeof *a);
    a->font = TTF_OpenFont(path, pixels);
    if (!a->font) {
        lf_fail(err, LF_ERR_INPUT, "%s: %s", path, TTF_GetError());
        return false;
    }
    TTF_SetFontStyle(a->font, style);
    TTF_SetFontHinting(a->font, TTF_HINTING_LIGHT);
    a->line_height = TTF_FontHeight(a->font);
    SDL_Surface *rendered[GLYPH_COUNT] = {0};
    const SDL_Color white = {255, 255, 255, 255};
    int x = 0, y = 0, row_height = 0;
    for (int i = 32; i < GLYPH_COUNT; i++) {
        Uint32 cp = code_point_of(i);
        if ((i >= 127 && i < 160) || (numbers_only && !is_value_glyph(cp)) ||
            !TTF_GlyphIsProvided32(a->font, cp))
            continue;
        int minx, maxx, miny, maxy, advance;
        if (TTF_GlyphMetrics32(a->font, cp, &minx, &maxx, &miny, &maxy, &advance) != 0)
            continue;
        rendered[i] = TTF_RenderGlyph32_Blended(a->font, cp, white);
        if (!rendered[i])
            continue;
        SDL_Rect part = visible_part(rendered[i]);
        int w = part.w, h = part.h;
        a->glyphs[i].advance = advance;
        a->glyphs[i].dx = part.x;
        a->glyphs[i].dy = part.y;
        if (w == 0)
            continue; /* nothing to draw: the advance is all */
        if (x + w > ATLAS_WIDTH) {
            x = 0;
            y += row_height + 1;
            row_height = 0;
        }
        a->glyphs[i].source = (SDL_Rect){x, y, w, h};
        x += w + 1;
        if (h > row_height)
            row_height = h;
    }
    int height = y + row_height + 1;
    SDL_Surface *atlas = SDL_CreateRGBSurfaceWithFormat(0, ATLAS_WIDTH, height, 32,
                                                        SDL_PIXELFORMAT_ARGB8888);
    bool ok = atlas != NULL;
    if (ok) {
        SDL_FillRect(atlas, NULL, 0);
        for (int i = 32; i < GLYPH_COUNT; i++)
            if (rendered[i] && a->glyphs[i].source.w > 0) {
                SDL_SetSurfaceBlendMode(rendered[i], SDL_BLENDMODE_NONE);
                const glyph *g = &a->glyphs[i];
                SDL_Rect src = {g->dx, g->dy, g->source.w, g->source.h}, dst = g->source;
                SDL_BlitSurface(rendered[i], &src, atlas, &dst);
            }
        a->texture = SDL_CreateTextureFromSurface(renderer, atlas);
        ok = a->texture != NULL;
        if (ok)
            SDL_SetTextureBlendMode(a->texture, SDL_BLENDMODE_BLEND);
    }
    if (!ok)
        lf_fail(err, LF_ERR_NOMEM, "glyph atlas for %s: %s", path, SDL_GetError());
    for (int i = 0; i < GLYPH_COUNT; i++)
        SDL_FreeSurface(rendered[i]);
    SDL_FreeSurface(atlas);
    return ok;
}

/* Builds the fonts that depend on the scale, or all of them. */
static bool build_all(text_ctx *t, float scale, bool scaled_only, lf_error *err)
{
    for (int f = 0; f < TEXT_FONT_COUNT; f++) {
        if (scaled_only && !font_is_scaled(f))
            continue;
        /* Sized for this folder, so no path is ever cut. */
        size_t size = strlen(t->assets_dir) + strlen(font_specs[f].file) + 2;
        char *path = SDL_malloc(size);
        bool ok = path != NULL;
        if (!ok)
            lf_fail(err, LF_ERR_NOMEM, "out of memory for a font path");
        else
            snprintf(path, size, "%s/%s", t->assets_dir, font_specs[f].file);
        int pixels = font_specs[f].pixels;
        if (font_is_scaled(f))
            pixels = (int)(pixels * scale + 0.5f);
        if (pixels < 6)
            pixels = 6;
        t->pixels[f] = pixels;
        ok = ok && atlas_build(&t->fonts[f], t->renderer, path, pixels, font_specs[f].style,
                               !font_is_scaled(f), err);
        SDL_free(path);
        if (!ok) {
            for (int g = 0; g <= f; g++)
                if (!scaled_only || font_is_scaled(g))
                    atlas_free(&t->fonts[g]);
            return false;
        }
    }
    t->scale = scale;
    return true;
}

text_ctx *text_create(SDL_Renderer *renderer, const char *assets_dir, float scale, lf_error *err)
{
    if (!TTF_WasInit() && TTF_Init() != 0) {
        lf_fail(err, LF_ERR_INPUT, "SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    text_ctx *t = SDL_calloc(1, sizeof *t);
    if (!t || !(t->assets_dir = SDL_strdup(assets_dir))) {
        SDL_free(t);
        lf_fail(err, LF_ERR_NOMEM, "out of memory for fonts");
        return NULL;
    }
    t->renderer = renderer;
    if (!build_all(t, scale, false, err)) {
        SDL_free(t->assets_dir);
        SDL_free(t);
        return NULL;
    }
    return t;
}

void text_destroy(text_ctx *t)
{
    if (!t)
        return;
    for (int f = 0; f < TEXT_FONT_COUNT; f++)
        atlas_free(&t->fonts[f]);
    SDL_free(t->assets_dir);
    SDL_free(t);
}

bool text_set_scale(text_ctx *t, float scale)
{
    if (scale == t->scale)
        return true;
    font_atlas old[TEXT_FONT_COUNT];
    int old_pixels[TEXT_FONT_COUNT];
    memcpy(old, t->fonts, sizeof old);
    memcpy(old_pixels, t->pixels, sizeof old_pixels);
    if (!build_all(t, scale, true, NULL)) {
        memcpy(t->fonts, old, sizeof old); /* keep the fonts we had */
        memcpy(t->pixels, old_pixels, sizeof old_pixels);
        return false;
    }
    for (int f = 0; f < TEXT_FONT_COUNT; f++)
        if (font_is_scaled(f))
            atlas_free(&old[f]);
    return true;
}

float text_scale(const text_ctx *t) { return t->scale; }

/* Next code point of a UTF-8 string; malformed bytes come out as '?'. */
static Uint32 next_code_point(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    Uint32 cp;
    int extra;
    if (p[0] < 0x80) {
        cp = p[0];
        extra = 0;
    } else if ((p[0] & 0xE0) == 0xC0) {
        cp = p[0] & 0x1F;
        extra = 1;
    } else if ((p[0] & 0xF0) == 0xE0) {
        cp = p[0] & 0x0F;
        extra = 2;
    } else if ((p[0] & 0xF8) == 0xF0) {
        cp = p[0] & 0x07;
        extra = 3;
    } else {
        *s += 1;
        return '?';
    }
    for (int i = 1; i <= extra; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s += i;
            return '?';
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *s += 1 + extra;
    return cp;
}

int text_width(const text_ctx *t, text_font font, const char *s)
{
    const font_atlas *a = &t->fonts[font];
    int w = 0;
    while (*s)
        w += a->glyphs[index_of(next_code_point(&s))].advance;
    return w;
}

int text_line_height(const text_ctx *t, text_font font) { return t->fonts[font].line_height; }

int text_font_pixels(const text_ctx *t, text_font font) { return t->pixels[font]; }

void text_set_observer(text_ctx *t, text_observer observer, void *user)
{
    t->observer = observer;
    t->observer_user = user;
}

int text_draw(text_ctx *t, text_font font, int x, int y, const char *s, SDL_Color color,
              text_align align)
{
    font_atlas *a = &t->fonts[font];
    int width = text_width(t, font, s);
    if (align == TEXT_CENTER)
        x -= width / 2;
    else if (align == TEXT_RIGHT)
        x -= width;
    if (t->observer && *s)
        t->observer(t->observer_user, s, font, (SDL_Rect){x, y, width, a->line_height});
    SDL_SetTextureColorMod(a->texture, color.r, color.g, color.b);
    SDL_SetTextureAlphaMod(a->texture, color.a);
    while (*s) {
        const glyph *g = &a->glyphs[index_of(next_code_point(&s))];
        if (g->source.w > 0) {
            SDL_Rect dst = {x + g->dx, y + g->dy, g->source.w, g->source.h};
            SDL_RenderCopy(t->renderer, a->texture, &g->source, &dst);
        }
        x += g->advance;
    }
    return width;
}
