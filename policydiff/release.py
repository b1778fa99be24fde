"""The release of policydiff (a ground-floor constant every stage may read)."""

__version__ = "0.1.0"
