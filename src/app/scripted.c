/*
 * scripted.c: --hover and --press as SDL events (scripted.h).
 */
#include "scripted.h"

#include <SDL.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The index-th comma-separated name of list into out (capacity size);
 * false past the end. */
static bool nth_name(const char *list, long index, char *out, size_t size)
{
    const char *p = list;
    for (long i = 0; i < index; i++) {
        p = strchr(p, ',');
        if (!p)
            return false;
        p++;
    }
    size_t n = strcspn(p, ",");
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = 0;
    return true;
}

void scripted_push_events(const cli_options *o, long frame)
{
    if (frame == 0 && o->hover) {
        SDL_Event e = {.type = SDL_MOUSEMOTION};
        e.motion.x = o->hover_x;
        e.motion.y = o->hover_y;
        SDL_PushEvent(&e);
    }
    char name[SCRIPTED_KEY_NAME_MAX];
    if (frame < 1 || !o->press || !nth_name(o->press, frame - 1, name, sizeof name) || !name[0])
        return;
    /* "Shift+N": the modifier, then SDL's name of the key. */
    Uint16 mod = KMOD_NONE;
    const char *key = name;
    if (!strncasecmp(key, "Shift+", 6)) {
        mod = KMOD_LSHIFT;
        key += 6;
    }
    SDL_Keycode sym = SDL_GetKeyFromName(key);
    if (sym == SDLK_UNKNOWN) {
        fprintf(stderr, "learnfilter: --press: '%s' is not a key name SDL knows\n", name);
        return;
    }
    SDL_Event e = {.type = SDL_KEYDOWN};
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = sym;
    e.key.keysym.scancode = SDL_GetScancodeFromKey(sym);
    e.key.keysym.mod = mod;
    SDL_PushEvent(&e);
}
