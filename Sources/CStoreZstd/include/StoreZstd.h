#ifndef EMAIL_AUDIT_STORE_ZSTD_H
#define EMAIL_AUDIT_STORE_ZSTD_H
/* zstd, for compact text format 5 (Sources/AuditStore/CompactText.swift is the only user).

   There is no #include <zstd.h>: Debian 12 installs the library on every machine (libzstd1, which
   dpkg itself depends on) but not its header or its libzstd.so link (libzstd-dev), and the product
   must build on a fresh machine with nothing installed by hand. So the few functions used are
   declared here as zstd.h 1.5 declares them (all of them stable API since zstd 1.4.0, whose ABI
   the library keeps), and Package.swift links the library file itself (-l:libzstd.so.1). The
   enum parameters are declared as int, which is how the C ABI passes them. */
#include <stddef.h>

typedef struct ZSTD_CCtx_s EA_ZSTD_CCtx;
typedef struct ZSTD_DCtx_s EA_ZSTD_DCtx;
typedef struct ZSTD_CDict_s EA_ZSTD_CDict;
typedef struct ZSTD_DDict_s EA_ZSTD_DDict;

/* ZSTD_cParameter values (zstd.h: "stable" parameters). */
enum {
    EA_ZSTD_c_contentSizeFlag = 200,
    EA_ZSTD_c_checksumFlag = 201,
    EA_ZSTD_c_dictIDFlag = 202
};

/* The 4-byte magic number that starts every zstd frame (little-endian 28 B5 2F FD). */
#define EA_ZSTD_MAGICNUMBER 0xFD2FB528u

unsigned ZSTD_versionNumber(void);
unsigned ZSTD_isError(size_t code);
const char *ZSTD_getErrorName(size_t code);
size_t ZSTD_compressBound(size_t srcSize);

EA_ZSTD_CCtx *ZSTD_createCCtx(void);
size_t ZSTD_freeCCtx(EA_ZSTD_CCtx *cctx);
size_t ZSTD_CCtx_setParameter(EA_ZSTD_CCtx *cctx, int param, int value);
size_t ZSTD_CCtx_refCDict(EA_ZSTD_CCtx *cctx, const EA_ZSTD_CDict *cdict);
size_t ZSTD_compress2(EA_ZSTD_CCtx *cctx, void *dst, size_t dstCapacity, const void *src, size_t srcSize);
EA_ZSTD_CDict *ZSTD_createCDict(const void *dictBuffer, size_t dictSize, int compressionLevel);
size_t ZSTD_freeCDict(EA_ZSTD_CDict *cdict);

EA_ZSTD_DCtx *ZSTD_createDCtx(void);
size_t ZSTD_freeDCtx(EA_ZSTD_DCtx *dctx);
EA_ZSTD_DDict *ZSTD_createDDict(const void *dictBuffer, size_t dictSize);
size_t ZSTD_freeDDict(EA_ZSTD_DDict *ddict);
size_t ZSTD_decompress_usingDDict(EA_ZSTD_DCtx *dctx, void *dst, size_t dstCapacity,
                                  const void *src, size_t srcSize, const EA_ZSTD_DDict *ddict);
#endif
