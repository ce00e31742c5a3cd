/* keys.h - the debug keys: typed at the hypervisor, they print its state. */
#ifndef HV_KEYS_H
#define HV_KEYS_H

/* One key typed while console input goes to the hypervisor (console_input.c). */
void keys_handle(char key);
#endif
