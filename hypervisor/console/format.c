/*
 * format.c - vsnprintf, the one formatter behind every console line.
 *
 * Supports what the hypervisor prints: %d %i %u %x %X %o %p %s %c %%, with
 * flags '-', '0', '#', '+', ' ', a width and precision (either may be '*'),
 * and the length modifiers hh h l ll z.  It never writes past `size` bytes
 * and always terminates the buffer when size > 0; like C's, it returns the
 * length the full output would have had.  Pure: built for the host too.
 */
#include "hypervisor/lib.h"

struct out { char *buf; size_t size, len; };

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

struct spec { bool left, zero, alt, plus, space; int width, prec; };

/* Digits of v in `base`, most significant first, into a local buffer. */
static void put_number(struct out *o, uint64_t v, bool neg, unsigned base,
                       bool upper, const struct spec *sp)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    bool is_zero = v == 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (sp->prec == 0 && is_zero)
        n = 0;                                  /* "%.0d" of 0 prints nothing */
    const char *prefix = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
    if (sp->alt && base == 16 && !is_zero)
        prefix = upper ? "0X" : "0x";
    int zeros = sp->prec > n ? sp->prec - n : 0;
    if (sp->alt && base == 8 && zeros == 0 && (n == 0 || tmp[n - 1] != '0'))
        zeros = 1;                              /* "%#o" always starts with 0 */
    int total = (int)strlen(prefix) + zeros + n;
    if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
        zeros += sp->width - total;
        total = sp->width;
    }
    if (!sp->left)
        put_pad(o, ' ', sp->width - total);
    for (const char *p = prefix; *p; p++)
        put(o, *p);
    put_pad(o, '0', zeros);
    while (n)
        put(o, tmp[--n]);
    if (sp->left)
        put_pad(o, ' ', sp->width - total);
}

static void put_string(struct out *o, const char *s, const struct spec *sp)
{
    if (!s)
        s = "(null)";
    int n = (int)(sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s));
    if (!sp->left)
        put_pad(o, ' ', sp->width - n);
    for (int i = 0; i < n; i++)
        put(o, s[i]);
    if (sp->left)
        put_pad(o, ' ', sp->width - n);
}

/* Parse flags, width and precision; returns the first byte after them. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    *sp = (struct spec){ .prec = -1 };
    for (;; f++) {
        if (*f == '-') sp->left = true;
        else if (*f == '0') sp->zero = true;
        else if (*f == '#') sp->alt = true;
        else if (*f == '+') sp->plus = true;
        else if (*f == ' ') sp->space = true;
        else break;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) { sp->left = true; sp->width = -sp->width; }
        f++;
    }
    while (*f >= '0' && *f <= '9')
        sp->width = sp->width * 10 + (*f++ - '0');
    if (*f == '.') {
        f++;
        sp->prec = 0;
        if (*f == '*') {
            sp->prec = va_arg(*ap, int);
            f++;
        }
        while (*f >= '0' && *f <= '9')
            sp->prec = sp->prec * 10 + (*f++ - '0');
    }
    return f;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    va_list args;
    va_copy(args, ap);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        struct spec sp;
        f = parse_spec(f + 1, &sp, &args);
        /* Length: -2 hh, -1 h, 0 int, 1 l or z (32-bit here), 2 ll. */
        int lng = 0;
        for (; *f == 'l' || *f == 'z' || *f == 'h'; f++)
            lng += *f == 'l' ? 1 : *f == 'z' ? 1 : -1;
        uint64_t u;
        switch (*f) {
        case 'd': case 'i': {
            int64_t v = lng >= 2 ? va_arg(args, long long)
                      : lng == 1 ? va_arg(args, long) : va_arg(args, int);
            if (lng == -1)
                v = (short)v;
            else if (lng <= -2)
                v = (signed char)v;
            put_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, &sp);
            break;
        }
        case 'u': case 'x': case 'X': case 'o':
            u = lng >= 2 ? va_arg(args, unsigned long long)
              : lng == 1 ? va_arg(args, unsigned long) : va_arg(args, unsigned int);
            if (lng == -1)
                u = (unsigned short)u;
            else if (lng <= -2)
                u = (unsigned char)u;
            sp.plus = sp.space = false;         /* signs are for signed conversions */
            put_number(&o, u, false, *f == 'u' ? 10 : *f == 'o' ? 8 : 16, *f == 'X', &sp);
            break;
        case 'p':
            sp.alt = true;
            put_number(&o, (uintptr_t)va_arg(args, void *), false, 16, false, &sp);
            break;
        case 's':
            put_string(&o, va_arg(args, const char *), &sp);
            break;
        case 'c':
            if (!sp.left)
                put_pad(&o, ' ', sp.width - 1);
            put(&o, (char)va_arg(args, int));
            if (sp.left)
                put_pad(&o, ' ', sp.width - 1);
            break;
        case '%':
            put(&o, '%');
            break;
        case '\0':
            f--;                                /* a lone '%' at the end */
            break;
        default:
            put(&o, '%');
            put(&o, *f);
        }
    }
    va_end(args);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
