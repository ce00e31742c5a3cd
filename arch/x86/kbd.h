/* kbd.h - the PS/2 keyboard (i8042, scancode set 1): keys as ASCII or KEY_* codes. */
#ifndef ARCH_X86_KBD_H
#define ARCH_X86_KBD_H
#include "hypervisor/types.h"

#define KBD_IRQ 1                 /* the keyboard's line on the master PIC */

/* Keys with no ASCII byte: above 0xff so they never look like input. */
enum { KEY_UP = 0x100, KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_PGUP, KEY_PGDN,
       KEY_SHIFT_PGUP, KEY_SHIFT_PGDN };

/* Raise KBD_IRQ for each key; false if there is no controller. */
bool kbd_init(void);
/* The next key pressed (ASCII with Shift/Ctrl/Caps applied, or KEY_*), or -1. */
int kbd_getkey(void);
#endif
