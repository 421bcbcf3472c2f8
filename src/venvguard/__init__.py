"""venvguard: keeps Python projects honest about virtual environments."""

__version__ = "0.1.0"
