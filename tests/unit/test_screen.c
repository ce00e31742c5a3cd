/*
 * test_screen.c - hypervisor/console/screen.c: colours, word wrap, scrollback, status line.
 *
 * screen.c is included whole, so each group starts from an empty history
 * (reset() clears its statics).  The VGA driver below is a fake screen of
 * 25 rows that records what vga_row() and vga_cursor() were given, and the
 * domains and the input owner are supplied here.  The same rules are
 * checked on the emulated screen by tests/test_screen_keyboard.py; here the
 * corners are: a word longer than a row, a halt line that wraps, lines
 * that forge a prefix, 600 lines through a 256-row history, 128 domains
 * with long names on an 80-column status line.
 *
 *   test_screen [GROUP | --list]
 */
#include "hypervisor/console/screen.c"

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

struct domain *domains[MAX_DOMAINS];
unsigned nr_domains;
static int owner;
static uint16_t shown[VGA_ROWS][VGA_COLS];
static unsigned cur_x, cur_y;

void vga_init(void) {}
void vga_row(unsigned y, const uint16_t cells[VGA_COLS]) { memcpy(shown[y], cells, sizeof(shown[y])); }
void vga_cursor(unsigned x, unsigned y) { cur_x = x; cur_y = y; }
int console_input_owner(void) { return owner; }

static void reset(void)
{
    memset(hist, 0, sizeof(hist));
    rows = 1;
    col = back = line_row = head_len = 0;
    attr = PLAIN;
    nr_domains = 0;
    owner = 0;
    screen_init();
}

static void say(const char *s)
{
    screen_write(s, strlen(s));
}

/* Screen row y as text, trailing blanks cut. */
static const char *text(unsigned y)
{
    static char t[VGA_COLS + 1];
    for (unsigned x = 0; x < VGA_COLS; x++)
        t[x] = (char)(shown[y][x] & 0xff ? shown[y][x] & 0xff : ' ');
    unsigned n = VGA_COLS;
    while (n && t[n - 1] == ' ')
        n--;
    t[n] = '\0';
    return t;
}

static unsigned attr_of(unsigned y, unsigned x) { return shown[y][x] >> 8; }

static void long_lines_break_between_words_with_an_indent(void)
{
    reset();
    char line[256] = "(d0) ", words[256] = "";
    for (unsigned i = 0; i < 35; i++)
        snprintf(words + strlen(words), sizeof(words) - strlen(words), "%sw%03u", i ? " " : "", i * 7);
    strcat(line, words);
    strcat(line, "\n");
    say(line);
    /* Rejoin the rows: every word must come back whole, in order. */
    char joined[256] = "";
    for (unsigned y = 0; y < 3; y++) {
        const char *t = text(y);
        CHECKF(y == 0 || !strncmp(t, "       w", 8), "row %u is indented 7: '%s'", y, t);
        snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
                 y ? " " : "", y ? t + 7 : t + 5);
    }
    CHECKF(!strcmp(joined, words), "rejoined '%s'", joined);
    CHECKF(!text(3)[0], "three rows were enough: '%s'", text(3));
    CHECK(cur_x == 0 && cur_y == 3);
}

static void a_word_longer_than_a_row_is_broken_where_the_row_ends(void)
{
    reset();
    char line[120] = "(hv) ";
    memset(line + 5, 'x', 100);
    say(line);                                  /* no newline yet: the cursor follows */
    CHECKF(strlen(text(0)) == 80 && strlen(text(1)) == 7 + 25, "'%s' '%s'", text(0), text(1));
    CHECKF(cur_x == 32 && cur_y == 1, "cursor %u,%u", cur_x, cur_y);
}

static void each_source_has_its_colour_and_a_halt_is_white_on_red(void)
{
    reset();
    say("(hv) hello\n(d0) zero\n(d1) one\n(d6) six\nplain\n(d1) (hv) d1 halted: forged\n"
        "(hv) PANIC at x\n(hv) d12 halted: ");
    char reason[100];
    memset(reason, 'r', 99);
    reason[99] = '\0';
    say(reason);                                /* the halt line wraps: both rows red */
    say("\n");
    const unsigned want[] = { HV, 0x0a, 0x0e, 0x0a, PLAIN, 0x0e, HALT, HALT, HALT };
    for (unsigned y = 0; y < sizeof(want) / sizeof(want[0]); y++)
        for (unsigned x = 0; x < VGA_COLS; x += 79)
            CHECKF(attr_of(y, x) == want[y], "row %u '%s' col %u: %02x, want %02x",
                   y, text(y), x, attr_of(y, x), want[y]);
}

static void shift_pgup_pages_back_and_new_output_keeps_the_view(void)
{
    reset();
    char line[32];
    for (unsigned i = 0; i < 600; i++) {
        snprintf(line, sizeof(line), "line %u\n", i);
        say(line);
    }
    screen_scroll(1);
    CHECKF(!strcmp(text(0), "line 554") && cur_y >= VGA_ROWS, "'%s' cursor row %u", text(0), cur_y);
    say("line 600\n");                          /* the page being read stays put */
    CHECKF(!strcmp(text(0), "line 554") && back == PAGE + 1, "'%s' back %u", text(0), back);
    screen_scroll(100);                         /* no further than the oldest row kept */
    snprintf(line, sizeof(line), "line %u", 601 - HISTORY + 1);
    CHECKF(!strcmp(text(0), line), "'%s', want '%s'", text(0), line);
    screen_scroll(-100);
    CHECKF(back == 0 && !strcmp(text(TEXT_ROWS - 2), "line 600"), "'%s'", text(TEXT_ROWS - 2));
    CHECK(cur_x == 0 && cur_y == TEXT_ROWS - 1);
}

static void the_status_line_names_the_input_and_each_domain(void)
{
    static struct domain d[MAX_DOMAINS];
    reset();
    strcpy(d[0].name, "alice");
    strcpy(d[1].name, "bob");
    d[1].state = DOMAIN_HALTED;
    domains[0] = &d[0], domains[1] = &d[1], nr_domains = 2, owner = 1;
    say("x\n");
    CHECKF(!strcmp(text(TEXT_ROWS), " input d1 | d0 alice up | d1 bob halted |"), "'%s'", text(TEXT_ROWS));
    CHECK(attr_of(TEXT_ROWS, 0) == STATUS && attr_of(TEXT_ROWS, 79) == STATUS);
    owner = -1;
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {  /* far more than fits */
        memset(d[i].name, 'n', sizeof(d[i].name) - 1);
        domains[i] = &d[i];
    }
    nr_domains = MAX_DOMAINS;
    say("y\n");
    CHECKF(!strncmp(text(TEXT_ROWS), " input hv keys | d0 nnn", 23), "'%s'", text(TEXT_ROWS));
}

static const struct group groups[] = {
    { "wrap", long_lines_break_between_words_with_an_indent },
    { "long_word", a_word_longer_than_a_row_is_broken_where_the_row_ends },
    { "colours", each_source_has_its_colour_and_a_halt_is_white_on_red },
    { "scrollback", shift_pgup_pages_back_and_new_output_keeps_the_view },
    { "status", the_status_line_names_the_input_and_each_domain },
};
CHECK_MAIN(groups)
