"""Shotline: an open AI production studio for film and TV."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("shotline")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
