"""One module per command; each exposes a plain typed function returning a result object."""
