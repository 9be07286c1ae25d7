"""The desktop window (PySide6). ``app.ui.app.run_app`` starts it; each screen is a module named by its noun."""
