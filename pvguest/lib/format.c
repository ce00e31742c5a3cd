/*
 * format.c - vsnprintf(), the one place pvguest turns values into text.
 *
 * A guest kernel has no C library, so it brings its own formatter.  This one
 * knows what tests print - numbers, strings, hex dumps of registers - and
 * nothing more: %d %i %u %x %X %p %s %c %%, the flags '-' and '0', a field
 * width (digits or '*'), a precision for %s only (".32s" or ".*s": at most
 * that many bytes, for fixed-size ABI strings that may lack a NUL), and the length modifiers
 * 'l' (same as int here) and 'll' (64-bit, divided by libgcc's helpers).  Like C's vsnprintf it
 * always NUL-terminates when size > 0 and returns the length it would have
 * written, so callers can tell when their buffer was too small.
 */
#include "pvguest/lib/pvguest.h"

struct out {
    char *buf;
    size_t size, len;   /* len counts every byte, even those that did not fit */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

/* One converted field: sign/prefix, then digits or text, padded to width. */
static void field(struct out *o, const char *pfx, const char *s, size_t n,
                  int width, bool left, bool zero)
{
    size_t plen = strlen(pfx);
    int pad = width - (int)(plen + n);

    if (!left && !zero)
        for (; pad > 0; pad--)
            put(o, ' ');
    while (*pfx)
        put(o, *pfx++);
    if (!left && zero)
        for (; pad > 0; pad--)
            put(o, '0');
    while (n--)
        put(o, *s++);
    for (; pad > 0; pad--)
        put(o, ' ');
}

/* Digits of v in base 10 or 16, most significant first, into buf[24]. */
static size_t digits(char *buf, unsigned long long v, unsigned base, bool upper)
{
    const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    size_t n = 0, i;

    do {
        tmp[n++] = d[v % base];
        v /= base;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

/* How one % conversion was written: flags, width, length modifier. */
struct spec {
    bool left, zero;
    int width, lng;
    size_t prec;                /* %s: most bytes to print */
};

/* Convert one argument for conversion character c. */
static void convert(struct out *o, char c, const struct spec *sp, va_list *ap)
{
    unsigned long long v;
    long long sv;
    char num[24];
    const char *s;

    switch (c) {
    case 'd': case 'i':
        sv = sp->lng > 1 ? va_arg(*ap, long long) : va_arg(*ap, long);
        v = sv < 0 ? -(unsigned long long)sv : (unsigned long long)sv;
        field(o, sv < 0 ? "-" : "", num, digits(num, v, 10, false),
              sp->width, sp->left, sp->zero);
        break;
    case 'u': case 'x': case 'X':
        v = sp->lng > 1 ? va_arg(*ap, unsigned long long)
                        : va_arg(*ap, unsigned long);
        field(o, "", num, digits(num, v, c == 'u' ? 10 : 16, c == 'X'),
              sp->width, sp->left, sp->zero);
        break;
    case 'p':
        v = (uintptr_t)va_arg(*ap, void *);
        field(o, "0x", num, digits(num, v, 16, false), sp->width, sp->left,
              sp->zero);
        break;
    case 's':
        s = va_arg(*ap, const char *);
        if (!s)
            s = "(null)";
        field(o, "", s, strnlen(s, sp->prec), sp->width, sp->left, false);
        break;
    case 'c':
        num[0] = (char)va_arg(*ap, int);
        field(o, "", num, 1, sp->width, sp->left, false);
        break;
    case '%':
        put(o, '%');
        break;
    default:                    /* unknown: print it as written */
        put(o, '%');
        put(o, c);
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    va_list aq;

    va_copy(aq, ap);
    for (; *fmt; fmt++) {
        struct spec sp = { false, false, 0, 0, (size_t)-1 };

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        for (; fmt[1] == '-' || fmt[1] == '0'; fmt++)
            *(fmt[1] == '-' ? &sp.left : &sp.zero) = true;
        if (fmt[1] == '*') {
            sp.width = va_arg(aq, int);
            fmt++;
        }
        while (fmt[1] >= '0' && fmt[1] <= '9')
            sp.width = sp.width * 10 + (*++fmt - '0');
        if (fmt[1] == '.' && fmt[2] == '*') {
            int p = va_arg(aq, int);
            sp.prec = p < 0 ? (size_t)-1 : (size_t)p;
            fmt += 2;
        } else if (fmt[1] == '.') {
            for (sp.prec = 0, fmt++; fmt[1] >= '0' && fmt[1] <= '9'; )
                sp.prec = sp.prec * 10 + (*++fmt - '0');
        }
        for (; fmt[1] == 'l'; fmt++)
            sp.lng++;
        if (!fmt[1]) {          /* a lone '%' at the end: print it, stop */
            put(&o, '%');
            break;
        }
        convert(&o, *++fmt, &sp, &aq);
    }
    va_end(aq);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
