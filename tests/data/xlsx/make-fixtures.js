// Makes the .xlsx fixtures of tests/unit/xlsx_test.c with real spreadsheet
// software: exceljs and SheetJS (npm), plus one part-by-part "as Excel
// writes it" file. Run through make-fixtures.sh, which installs the npm
// packages into a temporary folder and converts one file with LibreOffice.
// Dev-only: the outputs are committed, the tests never run this.
'use strict';
const fs = require('fs');
const path = require('path');
const ExcelJS = require('exceljs');
const XLSX = require('xlsx');
const JSZip = require('jszip');

const out = process.argv[2] || '.';

// One table for every producer. Row 4 is left out on purpose (a gap); row 5
// has cells in A and F only.
const header = ['姓名', '身份证号', '性别', '出生日期', '联系电话', '备注'];
const row2 = ['张三', '11010119900307803X', '男', '2019-05-01', '01234567', 'a<b & c>"d" \'e\''];
const row3 = ['李四', 110101199003078123, '女', 43586, 13812345678, null];

async function exceljs() {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('学生信息', {views: [{state: 'frozen', ySplit: 1}]});
    ws.columns = header.map((h, i) => ({width: i === 1 ? 22 : 12}));
    ws.getColumn(2).numFmt = '@';
    ws.addRow(header).font = {bold: true};
    ws.addRow(row2);
    ws.addRow(row3);
    ws.getCell('A5').value = '王五';
    ws.getCell('F5').value = 'gap';
    ws.getCell('A6').value = {richText: [{text: '富'}, {font: {bold: true}, text: '文本'}]};
    ws.getCell('B6').value = true;
    ws.getCell('C6').value = {formula: '1+1', result: 2};
    ws.getCell('D6').value = {error: '#N/A'};
    ws.getCell('E6').value = 1.5;
    ws.getCell('F6').value = '多行\n文本';
    ws.getCell('C2').dataValidation = {type: 'list', allowBlank: true, formulae: ['"男,女"']};
    const ws2 = wb.addWorksheet('第二页');
    ws2.addRow(['second', 'sheet']);
    await wb.xlsx.writeFile(path.join(out, 'exceljs.xlsx'));
}

function sheetjs() {
    const aoa = [header, row2, row3, [], ['王五', null, null, null, null, 'gap']];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), '学生信息');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['second', 'sheet']]), '第二页');
    XLSX.writeFile(wb, path.join(out, 'sheetjs.xlsx'));
    XLSX.writeFile(wb, path.join(out, 'sheetjs-sst.xlsx'), {bookSST: true});
}

// The parts as Excel 2016 writes them (namespaces, mc:Ignorable, x14ac,
// shared strings with a phonetic run, an 18-digit ID typed into a General
// cell stored as 1.10101199003078E+17, a control character as _x0001_), the
// sheet reached through a workbook relationship with an absolute target.
async function excelStyle() {
    const zip = new JSZip();
    const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    zip.file('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' +
        '</Types>');
    zip.file('_rels/.rels', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId1" Type="${R}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
    zip.file('xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
        `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${R}" ` +
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15">' +
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="22228"/>' +
        '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12300"/></bookViews>' +
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets><calcPr calcId="162913"/></workbook>');
    zip.file('xl/_rels/workbook.xml.rels', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId2" Type="${R}/sharedStrings" Target="sharedStrings.xml"/>` +
        `<Relationship Id="rId1" Type="${R}/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>`);
    zip.file('xl/sharedStrings.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">' +
        '<si><t>姓名</t><rPh sb="0" eb="2"><t>セイメイ</t></rPh><phoneticPr fontId="1"/></si>' +
        '<si><t>身份证号</t></si>' +
        '<si><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve">李 </t></r><r><t>四</t></r></si>' +
        '<si><t>a_x0001_b_x005F_x0041_</t></si>' +
        '<si><t>&#x4E2D;&#25991;&amp;&lt;&gt;</t></si></sst>');
    zip.file('xl/worksheets/sheet1.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
        `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${R}" ` +
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" ' +
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">' +
        '<dimension ref="A1:C3"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>' +
        '<sheetFormatPr defaultRowHeight="13.5" x14ac:dyDescent="0.15"/><sheetData>' +
        '<row r="1" spans="1:3" x14ac:dyDescent="0.15"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' +
        '<row r="2" spans="1:3" x14ac:dyDescent="0.15"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1.10101199003078E+17</v></c>' +
        '<c r="C2" t="s"><v>3</v></c></row>' +
        '<row r="3" spans="1:3" x14ac:dyDescent="0.15"><c r="A3" t="s"><v>4</v></c><c r="B3"><v>110101900307803</v></c>' +
        '<c r="C3" s="1"/></row></sheetData>' +
        '<phoneticPr fontId="1" type="noConversion"/>' +
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>');
    const buf = await zip.generateAsync({type: 'nodebuffer', compression: 'DEFLATE'});
    fs.writeFileSync(path.join(out, 'excel-style.xlsx'), buf);
}

(async () => {
    await exceljs();
    sheetjs();
    await excelStyle();
})().catch(e => { console.error(e); process.exit(1); });
