"""What the bundle leaves out: Python modules (``EXCLUDES``) and the Qt files only those need (``keep``).

Canbao uses Qt Core, Gui, Widgets, PrintSupport, Pdf/PdfWidgets (print preview) and Svg (icons).
Read by ``canbao.spec``; tested in ``tests/installer/test_packaging.py``.
"""

from __future__ import annotations

import posixpath
import re

UNUSED_QT = [
    "QtNetwork", "QtQml", "QtQmlFeatures", "QtQuick", "QtQuickWidgets", "QtQuickControls2", "QtQuickTest",
    "QtSql", "QtTest", "QtDBus", "QtDesigner", "QtHelp", "QtOpenGL", "QtOpenGLWidgets", "QtUiTools", "QtXml",
    "QtConcurrent", "QtLabsStyleKit", "QtSvgWidgets", "QtWebEngineCore", "QtWebEngineWidgets",
    "QtWebEngineQuick", "QtWebChannel", "QtWebSockets", "QtWebView", "Qt3DCore", "Qt3DRender", "Qt3DInput",
    "Qt3DLogic", "Qt3DAnimation", "Qt3DExtras", "QtMultimedia", "QtMultimediaWidgets", "QtSpatialAudio",
    "QtCharts", "QtDataVisualization", "QtGraphs", "QtGraphsWidgets", "QtBluetooth", "QtNfc", "QtPositioning",
    "QtLocation", "QtSensors", "QtSerialPort", "QtSerialBus", "QtRemoteObjects", "QtScxml", "QtStateMachine",
    "QtTextToSpeech", "QtHttpServer", "QtAxContainer", "QtCanvasPainter", "QtNetworkAuth",
]
EXCLUDES = [f"PySide6.{m}" for m in UNUSED_QT] + [
    "tkinter", "_tkinter", "PyQt5", "PyQt6", "PySide2", "IPython", "matplotlib", "numpy", "pandas",
    "pytest", "_pytest", "pytestqt", "hypothesis", "pip", "setuptools", "pydoc_data", "lib2to3",
]

# Qt shared libraries, plugins and data that only the modules above need. Qt6Network stays: the
# Pdf module links it. Names are matched case-insensitively anywhere in the destination path, so the
# same list works for the Windows layout (PySide6/Qt6Quick.dll) and the Linux one (Qt/lib/libQt6Quick.so.6).
DROP = re.compile(
    r"(qt6(quick|qml|webengine|3d|multimedia|spatialaudio|charts|datavis|graphs|bluetooth|nfc|positioning"
    r"|location|sensors|serial|remoteobjects|scxml|statemachine|texttospeech|httpserver|designer|help"
    r"|sql|test|virtualkeyboard|labs|shadertools|wayland|uitools|svgwidgets|xml\b|concurrent)"
    r"|[/\\]qml[/\\]|[/\\]qmltooling[/\\]|[/\\]sqldrivers[/\\]|[/\\]tls[/\\]|[/\\]networkinformation[/\\]"
    r"|[/\\]designer[/\\]|[/\\]wayland-|[/\\]egldeviceintegrations[/\\]|[/\\]xcbglintegrations[/\\]"
    r"|[/\\]platforminputcontexts[/\\]|[/\\]vectorimageformats[/\\]|[/\\]generic[/\\]"
    r"|opengl32sw\.dll|d3dcompiler_\d+\.dll)",
    re.IGNORECASE,
)
# Qt translations: only Chinese ones are of any use to the staff.
TRANSLATION = re.compile(r"[/\\]translations[/\\]", re.IGNORECASE)
KEEP_TRANSLATION = re.compile(r"_zh_cn\.qm$", re.IGNORECASE)
# Platform plugins: the native one and offscreen (used by the bundle test and `selftest --gui`).
PLATFORM = re.compile(r"[/\\]platforms[/\\]", re.IGNORECASE)
KEEP_PLATFORM = re.compile(r"(qwindows|qxcb|qoffscreen|qminimal|qcocoa)", re.IGNORECASE)


def keep(entry) -> bool:
    """Whether a PyInstaller TOC entry ``(destination, source, kind)`` goes into the bundle."""
    dest = "/" + entry[0].replace("\\", "/")
    if len(entry) > 2 and entry[2] == "SYMLINK":  # Linux: a link beside the program to a Qt library goes with it
        target = posixpath.normpath(posixpath.join(posixpath.dirname(entry[0].replace("\\", "/")),
                                                   entry[1].replace("\\", "/")))
        return keep((target, "", "BINARY"))
    if not dest.lower().startswith("/pyside6/"):
        return True  # only Qt's files are trimmed; Canbao's own data (policies/, resources/) always goes in
    if DROP.search(dest):
        return False
    if TRANSLATION.search(dest) and not KEEP_TRANSLATION.search(dest):
        return False
    if PLATFORM.search(dest) and not KEEP_PLATFORM.search(dest):
        return False
    return True
