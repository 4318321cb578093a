/*
 * explore_layout.c: where everything of the explore mode goes
 * (explore_draw.h): the title, the buttons of the view, the columns of the
 * picture view (input, kernel, results), the kernel's cells, the strip of
 * thumbnails, and which of them a click lands on. Pure arithmetic on the
 * state and the fonts' sizes, so tests check it without drawing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "explore_draw.h"

static int px(const explore_layout *L, int v)
{
    return (int)lroundf((float)v * L->scale);
}


static void add_button(explore_layout *L, explore_action action, const char *label)
{
    if (L->button_count >= EXPLORE_MAX_BUTTONS)
        return;
    explore_button *b = &L->buttons[L->button_count++];
    b->action = action;
    snprintf(b->label, sizeof b->label, "%s", label);
}

static const char *const view_names[EXPLORE_VIEW_COUNT] = {"picture", "lens", "1-D"};
static const char *const display_names[EXPLORE_DISPLAY_COUNT] = {"auto", "signed", "|value|",
                                                                 "gray"};

const char *explore_display_name(explore_display display)
{
    return (int)display >= 0 && display < EXPLORE_DISPLAY_COUNT ? display_names[display] : "?";
}
static const char *const compare_names[EXPLORE_COMPARE_COUNT] = {
    "off", "box 3 vs 7", "mean 1/2/3/10\xC3\x97", "median vs mean", "Gaussian \xCF\x83 2 vs 8",
    "edge kernels"};

/* The buttons of the state's view, with the current values in their labels. */
static void make_buttons(explore_layout *L, const explore_state *s)
{
    char text[48];
    snprintf(text, sizeof text, "View: %s \xC2\xBB", view_names[s->view]);
    add_button(L, EXPLORE_NEXT_VIEW, text);
    if (s->view == EXPLORE_VIEW_SIGNAL) {
        snprintf(text, sizeof text, "Window: %s \xC2\xBB", lf_window1d_name(s->signal_window));
        add_button(L, EXPLORE_SIGNAL_NEXT_WINDOW, text);
        snprintf(text, sizeof text, "Taps: %d \xC2\xBB", s->signal_taps);
        add_button(L, EXPLORE_SIGNAL_NEXT_TAPS, text);
        return;
    }
    add_button(L, EXPLORE_PREV_KIND, "\xC2\xAB");
    snprintf(text, sizeof text, "Operation: %s \xC2\xBB", lf_op_kind_name(s->kind));
    add_button(L, EXPLORE_NEXT_KIND, text);
    bool kernel = s->kind == LF_OP_KERNEL;
    add_button(L, EXPLORE_SHRINK, kernel ? "\xE2\x86\x90 kernel" : "size \xE2\x88\x92");
    add_button(L, EXPLORE_GROW, kernel ? "kernel \xE2\x86\x92" : "size +");
    add_button(L, EXPLORE_STRIDE_DOWN, "stride \xE2\x88\x92");
    add_button(L, EXPLORE_STRIDE_UP, "stride +");
    snprintf(text, sizeof text, "Repeat: %d\xC3\x97", s->repeat);
    add_button(L, EXPLORE_NEXT_REPEAT, text);
    snprintf(text, sizeof text, "Padding: %s", s->padding == LF_PADDING_SAME ? "same" : "valid");
    add_button(L, EXPLORE_TOGGLE_PADDING, text);
    if (!kernel) {
        snprintf(text, sizeof text, "Window: %s", s->shape == LF_WINDOW_PLUS ? "plus" : "square");
        add_button(L, EXPLORE_TOGGLE_SHAPE, text);
    }
    add_button(L, EXPLORE_NEXT_IMAGE, "Image \xC2\xBB");
    add_button(L, EXPLORE_LEARN_THIS, "Learn this");
    if (s->view == EXPLORE_VIEW_IMAGE) {
        snprintf(text, sizeof text, "Compare: %s", compare_names[s->compare]);
        add_button(L, EXPLORE_NEXT_COMPARE, text);
        snprintf(text, sizeof text, "Colours: %s", display_names[s->display]);
        add_button(L, EXPLORE_NEXT_DISPLAY, text);
    } else {
        add_button(L, EXPLORE_LENS_BACK, "\xE2\x86\x90 back");
        add_button(L, EXPLORE_LENS_STEP, "step \xE2\x86\x92");
        add_button(L, EXPLORE_LENS_PLAY, s->lens_playing ? "Pause" : "Play");
    }
}

/* The strip of thumbnails along the bottom of area; returns its height. A
 * window around the image shown when they do not all fit. */
static int place_thumbs(explore_layout *L, const explore_state *s, layout_rect area)
{
    int side = px(L, 56), gap = px(L, 6);
    if (s->image_count < 2 || area.h < 4 * side)
        return 0;
    int fit = (area.w + gap) / (side + gap);
    if (fit > EXPLORE_MAX_THUMBS)
        fit = EXPLORE_MAX_THUMBS;
    int count = s->image_count < fit ? s->image_count : fit;
    int first = s->image_index - count / 2;
    if (first > s->image_count - count)
        first = s->image_count - count;
    if (first < 0)
        first = 0;
    int y = area.y + area.h - side;
    for (int i = 0; i < count; i++) {
        L->thumbs[i].rect = (layout_rect){area.x + i * (side + gap), y, side, side};
        L->thumbs[i].image = first + i;
    }
    L->thumb_count = count;
    return side + gap;
}

/* The picture view's columns: the input, the kernel (for the user's own
 * kernel), then one per result; the kernel's cells when it is small enough
 * to show as numbers. */
static void place_columns(explore_layout *L, const explore_state *s, const text_ctx *t)
{
    int results = s->result_count > 0 ? s->result_count : 1;
    bool kernel = s->compare == EXPLORE_COMPARE_NONE && s->kind == LF_OP_KERNEL;
    double units = 1 + results + (kernel ? 0.7 : 0);
    int gap = px(L, 16), count = 1 + results + (kernel ? 1 : 0);
    double unit = (L->body.w - gap * (count - 1)) / units;
    int x = L->body.x;
    L->kernel_column = -1;
    for (int i = 0; i < count; i++) {
        bool is_kernel = kernel && i == 1;
        int w = (int)(unit * (is_kernel ? 0.7 : 1.0));
        L->columns[i] = (layout_rect){x, L->body.y, w, L->body.h};
        if (is_kernel)
            L->kernel_column = i;
        x += w + gap;
    }
    L->column_count = count;
    if (!kernel)
        return;
    lf_kernel k;
    explore_current_kernel(s, &k);
    if (k.height > LF_LENS_MAX_SIDE || k.width > LF_LENS_MAX_SIDE)
        return; /* a picture, not numbers */
    layout_rect col = L->columns[L->kernel_column];
    int top = text_line_height(t, TEXT_TITLE) + px(L, 6);
    int room_h = col.h - top - 4 * text_line_height(t, TEXT_BODY);
    int cell = col.w / k.width < room_h / k.height ? col.w / k.width : room_h / k.height;
    if (cell > px(L, 72))
        cell = px(L, 72);
    if (cell < 1)
        return;
    L->kernel_grid = (layout_rect){col.x, col.y + top, cell * k.width, cell * k.height};
    L->kernel_h = k.height;
    L->kernel_w = k.width;
}

void explore_layout_compute(explore_layout *L, const explore_state *s, const text_ctx *t,
                            int width, int height)
{
    memset(L, 0, sizeof *L);
    L->width = width;
    L->height = height;
    L->scale = text_scale(t);
    L->kernel_column = -1;
    int margin = px(L, 12), gap = px(L, 8);
    int title_h = text_line_height(t, TEXT_TITLE), body_h = text_line_height(t, TEXT_BODY);
    L->title = (layout_rect){margin, margin, width - 2 * margin, title_h};
    make_buttons(L, s);
    /* Buttons flow left to right and wrap. */
    int bx = margin, by = L->title.y + title_h + gap, bh = body_h + px(L, 12);
    for (int i = 0; i < L->button_count; i++) {
        explore_button *b = &L->buttons[i];
        int bw = text_width(t, TEXT_BODY, b->label) + px(L, 20);
        if (bx > margin && bx + bw > width - margin) {
            bx = margin;
            by += bh + gap / 2;
        }
        b->rect = (layout_rect){bx, by, bw, bh};
        bx += bw + gap / 2;
    }
    int footer_h = body_h + gap;
    L->footer = (layout_rect){margin, height - margin - footer_h, width - 2 * margin, footer_h};
    int body_y = by + bh + gap;
    int body_h_left = L->footer.y - gap - body_y;
    L->body = (layout_rect){margin, body_y, width - 2 * margin, body_h_left > 0 ? body_h_left : 0};
    if (s->view == EXPLORE_VIEW_SIGNAL)
        return;
    L->body.h -= place_thumbs(L, s, L->body);
    if (s->view == EXPLORE_VIEW_IMAGE)
        place_columns(L, s, t);
}

int explore_hit(const explore_layout *L, int x, int y)
{
    for (int i = 0; i < L->button_count; i++)
        if (layout_contains(L->buttons[i].rect, x, y))
            return (int)L->buttons[i].action;
    return -1;
}

int explore_hit_thumb(const explore_layout *L, int x, int y)
{
    for (int i = 0; i < L->thumb_count; i++)
        if (layout_contains(L->thumbs[i].rect, x, y))
            return L->thumbs[i].image;
    return -1;
}

int explore_hit_kernel_cell(const explore_layout *L, int x, int y)
{
    if (L->kernel_h <= 0 || !layout_contains(L->kernel_grid, x, y))
        return -1;
    int cell = L->kernel_grid.w / L->kernel_w;
    int row = (y - L->kernel_grid.y) / cell, col = (x - L->kernel_grid.x) / cell;
    if (row >= L->kernel_h || col >= L->kernel_w)
        return -1;
    return row * L->kernel_w + col;
}
