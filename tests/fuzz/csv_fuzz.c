/*
 * tests/fuzz/csv_fuzz.c - libFuzzer target for fmt_csv_read (make fuzz):
 * the input is a whole .csv upload (UTF-8 with or without a BOM, or GBK),
 * read with the default limits as an import reads it.
 */
#include "formats/csv.h"
#include "tests/fuzz/fuzz.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fmt_csv_limits lim = fmt_csv_limits_default();
    fuzz_ctx f = {.max_cols = lim.max_columns};
    app_err e = {0};
    fmt_csv_encoding enc = 0;
    int rc = fmt_csv_read(data, size, &lim, fuzz_row, &f, &enc, &e);
    fuzz_result(rc, &e);
    if (rc == 0)
        FUZZ_CHECK(enc == FMT_CSV_UTF8 || enc == FMT_CSV_GB18030);
    return 0;
}
