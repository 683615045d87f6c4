"""Registers kept by regulated entities, written from a dataset and read back (DORA register of information)."""
