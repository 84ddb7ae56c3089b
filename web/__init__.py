"""The web app for principals, partners and district officers: server-rendered pages
(Jinja2 + vendored htmx and Leaflet) in the same FastAPI app as the JSON API, calling
only the ``matcher`` engine. :func:`web.app.install` mounts it."""
