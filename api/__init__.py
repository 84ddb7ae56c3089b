"""The HTTP service of the matcher: a thin FastAPI layer over :class:`matcher.engine.Engine`."""
