/*
 * decode_host.c - host driver that runs the instruction decoder over stdin.
 *
 * Built with the host gcc and -DHOST_TEST, together with hypervisor/vcpu/decode.c,
 * so tests/test_decoder.py can compare the decoder with objdump.  It owns
 * nothing but the line format below; all decoding is decode.c's.
 *
 * Input, one instruction start per line:   <hex address> <hex bytes>
 *   e.g. "104a2f 0f22d8c3"  (bytes from that address on; at most 15 are used,
 *   fewer means the instruction may be truncated).  Blank lines are skipped.
 * Output, one tab-separated line per input line:
 *   <hex address> <length or negative error> <kind> <privileged 0/1>
 *   <exact 0/1> <text>
 *   e.g. "104a2f\t3\tMOV_TO_CR\t1\t1\tmov %eax,%cr3"; on error the kind is
 *   "-" and the text is INVALID, TRUNCATED or UNSUPPORTED.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/vcpu/decode.h"

static const char *error_name(int err)
{
    switch (err) {
    case DECODE_INVALID: return "INVALID";
    case DECODE_TRUNCATED: return "TRUNCATED";
    case DECODE_UNSUPPORTED: return "UNSUPPORTED";
    }
    return "?";
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parse "<addr> <bytes>"; returns the number of bytes, or -1 if malformed. */
static int parse_line(const char *line, uint32_t *addr, uint8_t *bytes, int max)
{
    char *end;
    int n = 0;

    *addr = (uint32_t)strtoul(line, &end, 16);
    if (end == line || *end != ' ')
        return -1;
    for (const char *p = end + 1; hexval(p[0]) >= 0 && hexval(p[1]) >= 0; p += 2) {
        if (n < max)
            bytes[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
    }
    return n;
}

int main(void)
{
    char line[4096], text[128];
    uint8_t bytes[INSN_MAX_LEN];
    struct insn in;
    uint32_t addr;

    while (fgets(line, sizeof(line), stdin)) {
        int n, len;

        if (line[0] == '\n' || line[0] == '\0')
            continue;
        n = parse_line(line, &addr, bytes, INSN_MAX_LEN);
        if (n < 0) {
            fprintf(stderr, "decode_host: bad input line: %s", line);
            return 1;
        }
        len = decode_insn(bytes, (size_t)n, &in);
        if (len < 0) {
            printf("%x\t%d\t-\t0\t0\t%s\n", addr, len, error_name(len));
            continue;
        }
        bool exact = insn_format(&in, addr, text, sizeof(text));
        printf("%x\t%d\t%s\t%d\t%d\t%s\n", addr, len, insn_kind_name(in.kind),
               insn_is_privileged(&in), exact, text);
    }
    return 0;
}
