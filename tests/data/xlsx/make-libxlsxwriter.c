/*
 * tests/data/xlsx/make-libxlsxwriter.c - the fixture libxlsxwriter.xlsx of
 * tests/unit/xlsx_test.c, written by libxlsxwriter (Debian libxlsxwriter-dev):
 * the same table as make-fixtures.js. Dev-only, run by make-fixtures.sh; the
 * output is committed and nothing in the build links libxlsxwriter.
 *
 *   cc -o make-libxlsxwriter make-libxlsxwriter.c -lxlsxwriter && ./make-libxlsxwriter OUT.xlsx
 */
#include <stdio.h>
#include <xlsxwriter.h>

int
main(int argc, char **argv)
{
    const char *out = argc > 1 ? argv[1] : "libxlsxwriter.xlsx";
    static const char *const header[] = {"姓名",     "身份证号", "性别",
                                         "出生日期", "联系电话", "备注"};
    static const char *const row2[] = {"张三",       "11010119900307803X", "男",
                                       "2019-05-01", "01234567",           "a<b & c>\"d\" 'e'"};
    lxw_workbook *wb = workbook_new(out);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "学生信息");
    lxw_worksheet *ws2 = workbook_add_worksheet(wb, "第二页");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (int c = 0; c < 6; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, header[c], bold);
        worksheet_write_string(ws, 1, (lxw_col_t)c, row2[c], NULL);
    }
    /* row 3: an ID number, a date and a phone typed as numbers */
    worksheet_write_string(ws, 2, 0, "李四", NULL);
    worksheet_write_number(ws, 2, 1, 110101199003078123.0, NULL);
    worksheet_write_string(ws, 2, 2, "女", NULL);
    worksheet_write_number(ws, 2, 3, 43586, NULL);
    worksheet_write_number(ws, 2, 4, 13812345678.0, NULL);
    /* row 4 left out; row 5 has cells in A and F only */
    worksheet_write_string(ws, 4, 0, "王五", NULL);
    worksheet_write_string(ws, 4, 5, "gap", NULL);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_write_string(ws2, 0, 0, "second", NULL);
    worksheet_write_string(ws2, 0, 1, "sheet", NULL);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
