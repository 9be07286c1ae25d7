"""The pure core: policies, quotes, ID numbers, money.

Nothing in this package may import Qt or SQLite (tests/test_architecture.py enforces it).
"""
