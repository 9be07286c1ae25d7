"""Excel exchange: exports to the district office and imports of the lists that come back. No Qt."""
