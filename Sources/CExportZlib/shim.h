#ifndef EMAIL_AUDIT_EXPORT_ZLIB_H
#define EMAIL_AUDIT_EXPORT_ZLIB_H
/* zlib for the Export module's zip writer and PDF streams (Sources/Export/Deflater.swift is
   the only user). deflateInit2 is a macro in zlib.h, so it is wrapped here for Swift. */
#include <zlib.h>

static inline int ea_deflate_init(z_stream *stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
