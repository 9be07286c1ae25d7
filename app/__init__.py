"""Canbao 参保台账: offline ledger for the resident medical insurance enrollment campaign."""

__version__ = "0.1.0"
