// ag::version(): compiled into ag_core, so it reports the library's version, not the headers'.
#include "ag/version.h"

namespace ag {

const char* version() { return AG_VERSION_STRING; }

}  // namespace ag
