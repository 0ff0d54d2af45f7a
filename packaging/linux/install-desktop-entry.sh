#!/bin/sh
# Adds CaseDesk (this unpacked bundle) to your application menu and puts `casedesk` on your PATH,
# for you only (no root). `--uninstall` takes both away again; your workspace is never touched.
# Run it again after moving the bundle to another folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
id=org.casedesk.CaseDesk

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$data/applications/$id.desktop" "$data/metainfo/$id.metainfo.xml"
  [ -L "$bin/casedesk" ] && rm -f "$bin/casedesk"
  find "$data/icons/hicolor" -name "$id.*" -exec rm -f {} + 2>/dev/null || true
  echo "CaseDesk is off the menu and PATH. Delete $here to remove the program;"
  echo "your workspace stays in $data/CaseDesk until you delete it."
  exit 0
fi

mkdir -p "$data/applications" "$data/metainfo" "$data/icons" "$bin"
cp -R "$here/share/icons/hicolor" "$data/icons/"
sed -e "s|^Exec=casedesk|Exec=\"$here/casedesk\"|" -e "s|^TryExec=casedesk|TryExec=$here/casedesk|" \
  "$here/share/applications/$id.desktop" > "$data/applications/$id.desktop"
cp "$here/share/metainfo/$id.metainfo.xml" "$data/metainfo/"
ln -sf "$here/casedesk" "$bin/casedesk"
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$data/applications" || true
fi
echo "CaseDesk is in your application menu, and 'casedesk' in $bin."
