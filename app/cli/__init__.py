"""The ``canbao`` command line."""
