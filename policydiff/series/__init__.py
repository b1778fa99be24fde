"""Whole series and corpora: the series report as data, corpus mode (batch)."""
