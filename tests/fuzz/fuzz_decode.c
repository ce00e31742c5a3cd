/*
 * fuzz_decode.c - libFuzzer over the instruction decoder and its formatter.
 *
 * Every byte the decoder reads is guest-chosen, and when the hypervisor
 * emulates it advances EIP by the length decoded, so a wrong length is a
 * guest-chosen jump.  Checked here on any bytes, with the buffer cut at
 * every length: the decoder never reads past `avail` (AddressSanitizer:
 * the bytes sit at the very end of their heap block), a length is 1..15
 * and within avail, and the text is always NUL-terminated within its
 * buffer, at every buffer size.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/vcpu/decode.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* The first byte picks the formatter's buffer size; the rest is code. */
    size_t text_size = 1 + data[0] % 96;
    data++, size--;
    if (size > INSN_MAX_LEN + 1)
        size = INSN_MAX_LEN + 1;
    for (size_t avail = 0; avail <= size; avail++) {
        uint8_t *code = malloc(avail ? avail : 1);
        memcpy(code, data, avail);
        struct insn in;
        int len = decode_insn(code + 0, avail, &in);
        if (len > 0) {
            if ((size_t)len > avail || len > INSN_MAX_LEN)
                abort();
            char *text = malloc(text_size);
            insn_format(&in, 0xc0001000u, text, text_size);
            if (strnlen(text, text_size) >= text_size)
                abort();
            free(text);
        }
        free(code);
    }
    return 0;
}
