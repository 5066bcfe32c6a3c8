"""Data files shipped with the till: receipt templates, icons, themes, translations."""
