/* console.h - the hypervisor console: every line goes to serial, VGA and 0xE9. */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H
#include "hypervisor/types.h"

void console_init(void);
void console_write(const char *s, size_t n);
/* Guest output: buffered per domain, printed a whole line at a time as "(dN) ...". */
void console_domain_write(unsigned domid, const char *s, size_t n);
void console_domain_flush(unsigned domid);
/* May a guest's output go on now?  False while the serial line is behind. */
bool console_guest_room(void);

/* A hypervisor log line: "(hv) " + the formatted text. */
#define hvlog(fmt, ...) printk("(hv) " fmt, ##__VA_ARGS__)
#endif
