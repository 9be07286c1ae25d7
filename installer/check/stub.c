/* A stand-in for canbao.exe / canbaow.exe in the installer check (installer/check_installer.sh).
 *
 * The real programs are built by PyInstaller on Windows, which cannot run on the Linux build machine; the check
 * only needs programs the installer can start: this one appends its command line (UTF-8) to the file named by
 * CANBAO_STUB_LOG and exits with CANBAO_STUB_EXIT (default 0), so the check sees that the installer ran
 * `canbao.exe selftest` after installing, and what a failing self-test does.
 */
#include <windows.h>
#include <stdlib.h>

int main(void)
{
    wchar_t path[MAX_PATH];
    if (GetEnvironmentVariableW(L"CANBAO_STUB_LOG", path, MAX_PATH)) {
        HANDLE f = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
                               FILE_ATTRIBUTE_NORMAL, NULL);
        if (f != INVALID_HANDLE_VALUE) {
            char line[4096];
            DWORD written;
            int n = WideCharToMultiByte(CP_UTF8, 0, GetCommandLineW(), -1, line, sizeof line - 2, NULL, NULL);
            if (n > 0) {
                line[n - 1] = '\n';
                WriteFile(f, line, (DWORD)n, &written, NULL);
            }
            CloseHandle(f);
        }
    }
    wchar_t code[16];
    if (GetEnvironmentVariableW(L"CANBAO_STUB_EXIT", code, 16))
        return _wtoi(code);
    return 0;
}
