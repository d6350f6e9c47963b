"""para-monitor: keep a Python backend's Sentry set-up correct, private and verified in CI."""

__version__ = "0.1.0"

__all__ = ["__version__"]
