#ifndef EMAIL_AUDIT_STORE_ZLIB_H
#define EMAIL_AUDIT_STORE_ZLIB_H
/* zlib for the store's compact raw events (Sources/AuditStore/CompactText.swift is the only
   user). deflateInit2 and inflateInit2 are macros in zlib.h, so they are wrapped here for Swift. */
#include <zlib.h>

static inline int ea_store_deflate_init(z_stream *stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int ea_store_inflate_init(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
