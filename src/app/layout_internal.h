/*
 * layout_internal.h: what the window's two layouts (layout.c's full one and
 * layout_present.c's presentation one) share: pixel sizes at a UI scale, and
 * the start every computation makes from the window's size.
 */
#ifndef LF_LAYOUT_INTERNAL_H
#define LF_LAYOUT_INTERNAL_H

#include "layout.h"

/* pixels at UI scale 1, scaled, never below one pixel */
static inline int scaled(float scale, int pixels)
{
    int v = (int)(pixels * scale + 0.5f);
    return v < 1 ? 1 : v;
}

static inline int clamp0(int v) { return v < 0 ? 0 : v; }

/* Clears L and records the window's size (negative sizes read as 0), the
 * UI scale, the kernel's side in cells (at least 1), the margin and gap
 * (pixels at scale 1) and the value size that follows the window. */
void layout_begin(layout *L, int width, int height, float scale, int kernel_cells, int margin,
                  int gap);

#endif
