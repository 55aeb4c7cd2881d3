/*
 * tests/fuzz/xlsx_fuzz.c - libFuzzer target for fmt_xlsx_read (make fuzz):
 * the input is a whole .xlsx upload, read with the default limits as an
 * import reads it (the first worksheet). Built with
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, so formats/zip.c does not stop a
 * mutated entry at its CRC and the XML behind it gets fuzzed too.
 */
#include "formats/xlsx.h"
#include "tests/fuzz/fuzz.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    fuzz_ctx f = {.max_cols = lim.max_columns};
    app_err e = {0};
    int rc = fmt_xlsx_read(data, size, NULL, &lim, fuzz_row, &f, &e);
    fuzz_result(rc, &e);
    return 0;
}
