/* version.h - who we are; the build passes HV_BUILD_DATE. */
#ifndef HV_VERSION_H
#define HV_VERSION_H
#define HV_NAME    "ringone"
#define HV_VERSION "0.1.0"
#ifndef HV_BUILD_DATE
#define HV_BUILD_DATE "unknown"
#endif
#endif
