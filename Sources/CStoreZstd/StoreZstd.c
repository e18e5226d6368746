/* Nothing to define: StoreZstd.h declares libzstd's own functions. A C target needs a source file. */
#include "StoreZstd.h"
