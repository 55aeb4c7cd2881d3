#!/bin/sh
# Regenerates the .xlsx fixtures in this folder (dev-only; see README.md).
# Needs npm (registry access) and LibreOffice (Debian: libreoffice-calc-nogui).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm install --no-save --no-audit --no-fund exceljs@4.4.0 xlsx@0.18.5 >/dev/null
NODE_PATH="$tmp/node_modules" node "$here/make-fixtures.js" "$here"

# LibreOffice's own writer: open the exceljs file, save it again as xlsx;
# and save libreoffice-1904.fods (null date 1904-01-01) as an xlsx in the
# 1904 date system.
mkdir lo
soffice --headless -env:UserInstallation="file://$tmp/profile" \
    --convert-to xlsx --outdir "$tmp/lo" "$here/exceljs.xlsx" "$here/libreoffice-1904.fods" >/dev/null
mv "$tmp/lo/exceljs.xlsx" "$here/libreoffice.xlsx"
mv "$tmp/lo/libreoffice-1904.xlsx" "$here/libreoffice-1904.xlsx"
# libxlsxwriter's (Debian libxlsxwriter-dev), when it is installed
if cc -o "$tmp/lxw" "$here/make-libxlsxwriter.c" -lxlsxwriter 2>/dev/null; then
    "$tmp/lxw" "$here/libxlsxwriter.xlsx"
else
    echo "make-fixtures: libxlsxwriter-dev missing: libxlsxwriter.xlsx left as it is" >&2
fi
ls -l "$here"/*.xlsx
