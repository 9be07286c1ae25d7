@echo off
rem Double-click or run from cmd: builds dist\installer\Canbao-<version>-setup.exe (see installer\README.md)
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0build.ps1" %*
exit /b %ERRORLEVEL%
