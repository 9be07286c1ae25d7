"""tests/policies: hand-worked quotes for the five official documents.

The helpers live in ``policy_quotes.py`` (imported by name from the test modules: pytest drops
``sys.modules['conftest']`` between directories, so helpers in a conftest are not safely importable).
"""

import pytest

from policy_quotes import ask


@pytest.fixture
def quote_for():
    """The quote helper as a fixture, for tests that prefer fixtures to imports."""
    return ask
