#pragma once
// libre's headers, with the configuration macros its pkg-config file leaves out (without them
// the headers do not compile as C++). Private to src/media and src/sip: nothing outside those
// folders includes libre.

#ifndef HAVE_INTTYPES_H
#define HAVE_INTTYPES_H 1
#endif
#ifndef HAVE_STDBOOL_H
#define HAVE_STDBOOL_H 1
#endif
#ifndef HAVE_INET6
#define HAVE_INET6 1
#endif

#include <re.h>  // IWYU pragma: export
