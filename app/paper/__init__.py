"""Printouts as PDF (reportlab, no Qt): household payment notices, receipts and ledger sheets."""
