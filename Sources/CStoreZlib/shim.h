#ifndef EMAIL_AUDIT_STORE_ZLIB_H
#define EMAIL_AUDIT_STORE_ZLIB_H
/* zlib for the store's compact raw events (Sources/AuditStore/CompactText.swift is the only
   user; EventJSONTokens.swift uses memmem). deflateInit2 and inflateInit2 are macros in zlib.h, so they are wrapped here for Swift. */
#include <stddef.h>
#include <zlib.h>

/* glibc declares memmem only under _GNU_SOURCE, and defining that here changes how this module
   sees the system headers (fd_set's members), which then clash with Foundation's (a clean build
   fails to compile AuditStore). So the one function is declared as glibc and POSIX 2024 give it. */
extern void *memmem(const void *haystack, size_t haystackLength, const void *needle, size_t needleLength);

/* The first place of `needle` in `haystack`, or NULL (compact event tokens, EventJSONTokens.swift). */
static inline void *ea_store_memmem(const void *haystack, size_t haystackLength, const void *needle, size_t needleLength) {
    return memmem(haystack, haystackLength, needle, needleLength);
}

static inline int ea_store_deflate_init(z_stream *stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int ea_store_inflate_init(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
