"""MLE Explorer's Panel user interface."""
