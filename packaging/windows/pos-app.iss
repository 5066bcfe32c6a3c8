; Inno Setup 6 recipe for the Windows till (built by packaging\windows\build.ps1).
; A per-user install (no admin rights needed): the till's data and logs are the
; installing user's platform directories (%LOCALAPPDATA%\pos-app), so install it as the
; shop's Windows user. An upgrade migrates the store after a backup (pos db upgrade);
; a failed migration leaves the store as it was and the setup says so.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\pos-app"
#endif

[Setup]
AppId={{6C1B7A52-0C5E-4E7C-9A7B-5F0B3D6E2A11}
AppName=pos-app
AppVersion={#AppVersion}
AppPublisher=pos-app
DefaultDirName={localappdata}\Programs\pos-app
DefaultGroupName=pos-app
PrivilegesRequired=lowest
OutputBaseFilename=pos-app-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile=pos-app.ico
UninstallDisplayIcon={app}\pos-till.exe
CloseApplications=yes
WizardStyle=modern

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "de"; MessagesFile: "compiler:Languages\German.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"
Name: "kiosk"; Description: "Start the till full screen at login (kiosk: a manager's PIN closes it)"; Flags: unchecked
Name: "backup"; Description: "Daily database backup at 03:30 (Task Scheduler)"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs; Excludes: ".build-key"

[Icons]
Name: "{group}\Till"; Filename: "{app}\pos-till.exe"; Parameters: "till"
Name: "{group}\Till (full screen)"; Filename: "{app}\pos-till.exe"; Parameters: "till --kiosk"
Name: "{group}\Logs for support"; Filename: "{localappdata}\pos-app\Logs"
Name: "{userdesktop}\Till"; Filename: "{app}\pos-till.exe"; Parameters: "till"; Tasks: desktopicon
Name: "{userstartup}\Till (kiosk)"; Filename: "{app}\pos-till.exe"; Parameters: "till --kiosk"; Tasks: kiosk

[Run]
; an upgrade: migrate the store now (after a backup), unless a till has it open
Filename: "{app}\pos.exe"; Parameters: "db upgrade --if-idle"; Flags: runhidden; StatusMsg: "Upgrading the store..."; Check: StoreExists
Filename: "schtasks.exe"; Parameters: "/Create /F /TN ""pos-app daily backup"" /SC DAILY /ST 03:30 /TR ""\""{app}\pos.exe\"" db backup --daily"""; Flags: runhidden; Tasks: backup
Filename: "{app}\pos-till.exe"; Parameters: "till"; Description: "Open the till"; Flags: postinstall nowait skipifsilent

[UninstallRun]
Filename: "schtasks.exe"; Parameters: "/Delete /F /TN ""pos-app daily backup"""; Flags: runhidden; RunOnceId: "DelBackupTask"

[Code]
function StoreExists(): Boolean;
begin
  Result := FileExists(ExpandConstant('{localappdata}\pos-app\pos.sqlite3'));
end;
