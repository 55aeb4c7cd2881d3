/*
 * formats/zip_record.h - the record layouts of PKWARE's APPNOTE shared by
 * the zip reader (formats/zip.c) and writers (formats/zip_write.c); not
 * for use outside formats/zip*.c.
 *
 * Local file header: PK\3\4, 30 bytes + name + extra; central directory
 * header: PK\1\2, 46 bytes + name + extra + comment; end of central
 * directory: PK\5\6, 22 bytes + comment; data descriptor PK\7\8. All
 * integers little-endian.
 */
#ifndef FMT_ZIP_RECORD_H
#define FMT_ZIP_RECORD_H

#include "base/err.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64_LOC 0x07064b50u
#define SIG_DESCRIPTOR 0x08074b50u
#define LOCAL_LEN 30
#define CENTRAL_LEN 46
#define EOCD_LEN 22
#define FLAG_ENCRYPTED 0x0001u
#define FLAG_DESCRIPTOR 0x0008u /* CRC and sizes in a data descriptor after the data */
#define FLAG_UTF8 0x0800u
#define DOS_DATE_1980 0x0021u /* 1980-01-01 */

/* APP_ETOOLARGE "xlsx_too_large" with param `what` ("entries", "entry", "total", "ratio"). */
static inline int
fmt_zip_too_large(app_err *err, const char *what)
{
    app_err_set(err, APP_ETOOLARGE, "xlsx_too_large", "zip: limit on %s exceeded", what);
    app_err_param(err, what);
    return APP_ETOOLARGE;
}

#endif
