/* screen.h - the console on the VGA text screen: colours, scrollback, status line. */
#ifndef HV_CONSOLE_SCREEN_H
#define HV_CONSOLE_SCREEN_H
#include "hypervisor/types.h"

void screen_init(void);
/* Console text, as sent to the serial line; lines are coloured by their "(hv)"/"(dN)" prefix. */
void screen_write(const char *s, size_t n);
/* Page back (pages > 0) or forward through the rows kept; 0 pages just redraws. */
void screen_scroll(int pages);
#endif
