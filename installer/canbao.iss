; Inno Setup 6 script: 参保台账 Canbao for Windows 10/11 (64-bit), installed per user, no administrator rights.
;
; Relative paths below are relative to this script's folder (installer\).
; Build with installer\build.ps1 (it builds dist\Canbao with PyInstaller first and passes the version), or by hand:
;   ISCC.exe /DAppVersion=0.1.0 /DAppNumericVersion=0.1.0.0 installer\canbao.iss
; Without /DAppVersion the version is read from the version resource of dist\Canbao\canbao.exe, which the
; spec generated from app.__version__: the one version source.
;
; Where things go:
;   program  %LOCALAPPDATA%\Programs\Canbao   (replaced on every upgrade)
;   data     %LOCALAPPDATA%\Canbao  (ledgers, backups, preferences: app/paths.py data_dir(), platformdirs)
; The installer never writes, moves or deletes anything in the data folder; the uninstaller leaves it too.
; Upgrading = running a newer setup: same AppId, same folder, old program files replaced, data untouched.
; UNTESTED ON WINDOWS at the time of writing (written on Linux without Inno Setup); see installer/README.md.

#define AppName "参保台账"
#define AppNameEn "Canbao"
#define GuiExe "canbaow.exe"
#define CliExe "canbao.exe"
; /DBundle=FOLDER builds from another folder (installer/check_installer.sh passes a stand-in bundle)
#ifndef Bundle
  #define Bundle AddBackslash(SourcePath) + "..\dist\Canbao"
#endif

#ifndef AppVersion
  #if !FileExists(Bundle + "\" + CliExe)
    #error dist\Canbao\canbao.exe not found: build the bundle first (installer\build.ps1)
  #endif
  #define AppVersion GetVersionNumbersString(Bundle + "\" + CliExe)
#endif
#ifndef AppNumericVersion
  #define AppNumericVersion GetVersionNumbersString(Bundle + "\" + CliExe)
#endif

[Setup]
; Never change AppId: upgrades find the installed copy by it.
AppId={{6A0C2E7D-3B5F-4C1E-9D2A-7F4B8C1E5A93}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppNameEn}
VersionInfoVersion={#AppNumericVersion}
VersionInfoProductName={#AppName} {#AppNameEn}
VersionInfoDescription={#AppName} 安装程序
; Per user: no UAC prompt, program under %LOCALAPPDATA%\Programs, shortcuts in the user's Start menu / desktop.
PrivilegesRequired=lowest
; {localappdata}\Programs is where {autopf} points for a per-user install (FOLDERID_UserProgramFiles);
; spelled out because Wine, where installer/check_installer.sh tests this script, cannot resolve {autopf}.
DefaultDirName={localappdata}\Programs\{#AppNameEn}
UsePreviousAppDir=yes
DisableDirPage=auto
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; PySide6 (Qt 6) needs 64-bit Windows 10 or later.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; If the program is open during an upgrade, ask to close it (Restart Manager) so files can be replaced;
; it is not restarted by force, the user starts it again.
CloseApplications=yes
RestartApplications=no
OutputDir=..\dist\installer
OutputBaseFilename={#AppNameEn}-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
UninstallDisplayName={#AppName} {#AppNameEn}
UninstallDisplayIcon={app}\{#GuiExe}
#if FileExists(AddBackslash(SourcePath) + "..\resources\icons\canbao.ico")
SetupIconFile=..\resources\icons\canbao.ico
#endif

[Languages]
; Inno Setup ships Simplified Chinese as an unofficial translation: put ChineseSimplified.isl into
; installer\ or the compiler's Languages\ folder to get Chinese wizard pages (build.ps1 says which is used).
#if FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
Name: "chs"; MessagesFile: "ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
Name: "en"; MessagesFile: "compiler:Default.isl"
#endif

[CustomMessages]
DesktopIcon=在桌面创建快捷方式
Shortcuts=快捷方式：
SelftestName=参保台账 自检
LaunchApp=启动参保台账
SelftestRunning=正在自检（检查程序文件是否完整）……
SelftestFailed=安装后自检未通过（退出码 %1）。程序文件可能不完整，请重新运行安装程序；如仍不行，请在开始菜单运行「参保台账 自检」并把结果告诉技术人员。%n%n您的台账数据不受影响。
DataKept=程序已卸载。台账和备份仍保存在：%n%1%n%n如需彻底删除，请先把台账备份到别处，再手动删除该文件夹。
DataFolderRefused=程序不能安装到数据文件夹（%1）里：升级或卸载时会危及台账。请选择其他文件夹。

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:Shortcuts}"

[InstallDelete]
; An upgrade first removes the previous program's libraries so no stale file is left behind.
; Only the program folder: the ledger and its backups are never in it.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{userdocs}"; Comment: "{#AppName} {#AppVersion}"
Name: "{autoprograms}\{cm:SelftestName}"; Filename: "{cmd}"; Parameters: "/k """"{app}\{#CliExe}"" selftest"""; WorkingDir: "{userdocs}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchApp}"; Flags: nowait postinstall skipifsilent

[Code]
function DataFolder(): String;
begin
  { app/paths.py data_dir(): platformdirs user_data_dir("Canbao", appauthor=False) on Windows }
  Result := ExpandConstant('{localappdata}\{#AppNameEn}');
end;

function IsInsideOrSame(Path, Folder: String): Boolean;
var
  P, F: String;
begin
  P := Lowercase(AddBackslash(Path));
  F := Lowercase(AddBackslash(Folder));
  Result := Copy(P, 1, Length(F)) = F;
end;

function NextButtonClick(CurPageID: Integer): Boolean;
begin
  Result := True;
  if (CurPageID = wpSelectDir) and IsInsideOrSame(WizardDirValue(), DataFolder()) then
  begin
    MsgBox(FmtMessage(CustomMessage('DataFolderRefused'), [DataFolder()]), mbError, MB_OK);
    Result := False;
  end;
end;

{ Silent installs (/DIR=...) skip the wizard pages and NextButtonClick: refuse here too (exit code 7). }
function PrepareToInstall(var NeedsRestart: Boolean): String;
begin
  Result := '';
  if IsInsideOrSame(WizardDirValue(), DataFolder()) then
    Result := FmtMessage(CustomMessage('DataFolderRefused'), [DataFolder()]);
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  ResultCode: Integer;
begin
  if CurStep = ssPostInstall then
  begin
    { canbao selftest works in a temporary folder and never opens the user's ledger }
    WizardForm.StatusLabel.Caption := CustomMessage('SelftestRunning');
    if Exec(ExpandConstant('{app}\{#CliExe}'), 'selftest', ExpandConstant('{tmp}'), SW_HIDE,
            ewWaitUntilTerminated, ResultCode) then
    begin
      if (ResultCode <> 0) and not WizardSilent() then
        MsgBox(FmtMessage(CustomMessage('SelftestFailed'), [IntToStr(ResultCode)]), mbError, MB_OK);
    end
    else if not WizardSilent() then
      MsgBox(FmtMessage(CustomMessage('SelftestFailed'), [SysErrorMessage(ResultCode)]), mbError, MB_OK);
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(DataFolder()) and not UninstallSilent() then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [DataFolder()]), mbInformation, MB_OK);
end;
