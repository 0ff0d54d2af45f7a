; Inno Setup script for the Windows installer (UNTESTED: written on Linux, see packaging/README.md).
; Build the bundle on Windows first (`pyinstaller packaging\casedesk.spec` gives dist\CaseDesk\),
; then: iscc packaging\windows\casedesk.iss  ->  dist\CaseDesk-0.1.0-setup.exe
; Installs per user by default (no administrator needed); the workspace is never in {app}: it lives
; in %LOCALAPPDATA%\CaseDesk (platformdirs), so uninstalling keeps the user's cases.

#define AppName "CaseDesk"
#define AppVersion "0.1.0"
#define AppId "org.casedesk.CaseDesk"

[Setup]
AppId={{8C1E5B7A-3D0F-4C55-9E2B-7A41C0DE5A19}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=CaseDesk contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=CaseDesk-{#AppVersion}-setup
SetupIconFile=casedesk.ico
UninstallDisplayIcon={app}\casedeskw.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add casedesk to PATH (for the command line)"; Flags: unchecked

[Files]
Source: "..\..\dist\CaseDesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; casedesk.exe is the command line (a console program); the shortcuts start casedeskw.exe, the same
; program built without a console (see the spec's Windows branch), which opens the window.
Name: "{group}\{#AppName}"; Filename: "{app}\casedeskw.exe"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\casedeskw.exe"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\casedeskw.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path) then
    Path := '';
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;
