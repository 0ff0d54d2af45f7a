#!/bin/sh
# macOS only (UNTESTED here): make packaging/macos/CaseDesk.icns from the committed PNGs, which the
# spec's BUNDLE uses. Needs iconutil (Xcode command line tools).
set -eu
cd "$(dirname "$0")"
src=../linux/icons/hicolor
set_dir=CaseDesk.iconset
rm -rf "$set_dir" && mkdir "$set_dir"
for n in 16 32 128 256 512; do
  cp "$src/${n}x${n}/apps/org.casedesk.CaseDesk.png" "$set_dir/icon_${n}x${n}.png"
done
cp "$src/32x32/apps/org.casedesk.CaseDesk.png" "$set_dir/icon_16x16@2x.png"
cp "$src/64x64/apps/org.casedesk.CaseDesk.png" "$set_dir/icon_32x32@2x.png"
cp "$src/256x256/apps/org.casedesk.CaseDesk.png" "$set_dir/icon_128x128@2x.png"
cp "$src/512x512/apps/org.casedesk.CaseDesk.png" "$set_dir/icon_256x256@2x.png"
iconutil -c icns "$set_dir" -o CaseDesk.icns
rm -rf "$set_dir"
