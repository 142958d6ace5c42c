"""companion: a privacy-first session companion for peer coaching."""

__version__ = "0.1.0"
