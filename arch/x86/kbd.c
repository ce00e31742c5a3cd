/*
 * kbd.c - the PS/2 keyboard behind the i8042 controller, decoded to keys.
 *
 * A real PC often has no serial port, but it has a keyboard: a PS/2 one,
 * or a USB one that the BIOS presents as PS/2 ("legacy emulation").  The
 * controller translates what the keyboard sends into scancode set 1, and
 * we leave that translation on, as the BIOS set it.  Each key sends a
 * "make" code when pressed and the same code with bit 7 set ("break")
 * when released; 0xE0 prefixes the keys added after the original PC/XT
 * (arrows, PgUp/PgDn, right Ctrl).  This file turns that byte stream into
 * ASCII, applying Shift, Ctrl and Caps Lock, plus a few KEY_* codes; what
 * a key means (input for a domain, scrolling) is console_input.c's choice.
 */
#include "arch/x86/kbd.h"
#include "arch/x86/x86.h"

#define DATA   0x60
#define STATUS 0x64                 /* read: status; write: a controller command */
#define CMD    0x64
#define ST_OBF (1u << 0)            /* a byte waits in DATA */
#define ST_IBF (1u << 1)            /* the controller has not taken our last byte */
#define ST_AUX (1u << 5)            /* ... and it came from the mouse port */
#define CFG_IRQ1 (1u << 0)          /* config byte: IRQ 1 on keyboard data */
#define CFG_IRQ12 (1u << 1)         /* ... IRQ 12 on mouse data */

/* Set-1 make codes 0x00-0x39, unshifted and shifted (US layout); 0 = no character. */
static const char plain[] = "\0\x1b" "1234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char shifted[] = "\0\x1b" "!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";
_Static_assert(sizeof(plain) == 0x3a + 1 && sizeof(shifted) == sizeof(plain), "set-1 tables");

static bool present, shift, ctrl, caps, extended;

/* Write to a port once the controller has taken our last byte; false if it never does. */
static bool put(uint16_t port, uint8_t val)
{
    for (unsigned spin = 0; spin < 100000; spin++)
        if (!(inb(STATUS) & ST_IBF)) {
            outb(port, val);
            return true;
        }
    return false;
}

/*
 * Turn on IRQ 1 and leave the rest of the BIOS's setup (translation, the
 * keyboard's own state) alone.  No controller self-test: on some machines
 * it resets the controller and loses the translation bit.  False if there
 * is no controller (the status port floats to 0xff).
 */
bool kbd_init(void)
{
    if (inb(STATUS) == 0xff)
        return false;
    while (inb(STATUS) & ST_OBF)        /* drop keys pressed while GRUB ran */
        (void)inb(DATA);
    if (!put(CMD, 0x20))                /* read the configuration byte */
        return false;
    for (unsigned spin = 0; !(inb(STATUS) & ST_OBF); spin++)
        if (spin == 100000)
            return false;
    uint8_t cfg = (uint8_t)((inb(DATA) | CFG_IRQ1) & ~CFG_IRQ12);
    /* Write it back with the keyboard's IRQ on, the mouse's off; then the
     * mouse port off (its bytes would sit in front of ours), keyboard on. */
    present = put(CMD, 0x60) && put(DATA, cfg) && put(CMD, 0xa7) && put(CMD, 0xae);
    return present;
}

/* One set-1 byte in, a key out (or -1: a prefix, a release, a modifier). */
static int decode(uint8_t code)
{
    bool ext = extended, up = code & 0x80;
    extended = code == 0xe0;
    code &= 0x7f;
    if (extended)
        return -1;
    if (code == 0x2a || code == 0x36) {         /* Shift; E0 2A is a "fake" one */
        if (!ext)
            shift = !up;
        return -1;
    }
    if (code == 0x1d) {                         /* left Ctrl, or E0 1D right Ctrl */
        ctrl = !up;
        return -1;
    }
    if (up)
        return -1;
    if (code == 0x3a) {
        caps = !caps;
        return -1;
    }
    switch (code) {                             /* with or without E0: keypad or grey keys */
    case 0x48: return KEY_UP;
    case 0x50: return KEY_DOWN;
    case 0x4b: return KEY_LEFT;
    case 0x4d: return KEY_RIGHT;
    case 0x49: return shift ? KEY_SHIFT_PGUP : KEY_PGUP;
    case 0x51: return shift ? KEY_SHIFT_PGDN : KEY_PGDN;
    }
    if (code >= sizeof(plain) - 1 || !plain[code])
        return -1;
    char c = (ext && code == 0x35) ? '/' : plain[code];
    bool letter = c >= 'a' && c <= 'z';
    if (ctrl && letter)
        return c & 0x1f;                        /* Ctrl-A is 0x01 */
    if (shift != (caps && letter))
        c = shifted[code];
    return (uint8_t)c;
}

int kbd_getkey(void)
{
    while (present) {
        uint8_t st = inb(STATUS);
        if (!(st & ST_OBF))
            break;
        uint8_t code = inb(DATA);
        if (st & ST_AUX)
            continue;                           /* a mouse byte: not ours */
        int key = decode(code);
        if (key >= 0)
            return key;
    }
    return -1;
}
