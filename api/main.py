"""The FastAPI application: ``api.main:app`` for uvicorn, :func:`create_app` for tests.

The engine is created and its model loaded once, at start-up (the lifespan). Without a
trained model the service still starts: look-ups and writes work, and suggestion and
ranking routes answer 503 until a model is trained.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

import matcher
from api import errors
from api.config import EXIT_CONFIG, ApiConfigError, ApiSettings
from api.deps import API_KEY_HEADER, DocsAccess, reject_nul
from api.fastpath import CachedSuggestions
from api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from api.routes import ROUTERS
from matcher.config import Settings
from matcher.engine import Engine
from matcher.errors import MatcherError
from web.app import FAVICON, REDOC_JS, SWAGGER_CSS, SWAGGER_JS
from web.app import install as install_web
from web.config import WebSettings
from web.deps import web_settings as web_page_settings
from web.headers import docs_page

logger = logging.getLogger("matcher.api")

DESCRIPTION = f"""
Match Indonesian schools with partners for mutual benefit.

Send a key in the `{API_KEY_HEADER}` header. Writes (PUT, DELETE, `POST /outcomes`)
always need a `write` key; reads are open on the local demo and need a `read` or `write`
key in production mode, as do these docs and `/openapi.json` (unless `public_docs`).
`/health` and `/livez` are always open. Errors answer `{{"detail": ...}}`.
"""


def _ensure_log_output() -> None:
    """Show the service's INFO lines (access log) when nobody configured logging, as
    under plain uvicorn, which configures only its own loggers."""
    root, ours = logging.getLogger(), logging.getLogger("matcher")
    if root.handlers or ours.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    ours.addHandler(handler)
    if ours.level == logging.NOTSET:
        ours.setLevel(logging.INFO)


def create_app(
    settings: Settings | None = None,
    api_settings: ApiSettings | None = None,
    web_settings: WebSettings | None = None,
) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    settings : matcher.config.Settings, optional
        Engine settings; default from ``MATCHER_DB`` / ``MATCHER_MODELS``.
    api_settings : ApiSettings, optional
        Service settings; default :meth:`ApiSettings.from_env`.
    web_settings : web.config.WebSettings, optional
        Settings of the web pages (session secret, map tiles); default
        :meth:`WebSettings.from_env`.

    Both defaults are read at start-up, not here, so importing ``api.main`` has no side
    effects and configuration mistakes surface as a failed start with a clear message.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _ensure_log_output()
        service = api_settings or ApiSettings.from_env()
        service.check()
        engine = Engine(settings or Settings())
        try:
            version = await run_in_threadpool(engine.refresh)
            logger.info("serving model %s", version)
        except MatcherError as exc:
            logger.warning("no model loaded (%s); suggestions answer 503 until one is trained", exc)
        engine.watch()  # new models and data are picked up off the request path
        if not service.api_keys:
            logger.warning("no API keys configured: the service is read-only")
        app.state.api_settings = service
        app.state.engine = engine
        try:
            yield
        finally:
            app.state.engine = None
            engine.close()

    app = FastAPI(
        title="matcher",
        summary="School–partner matching for mutual benefit",
        description=DESCRIPTION,
        version=matcher.__version__,
        lifespan=lifespan,
        dependencies=[Depends(reject_nul)],
        # served below behind the read rule (a key in production) instead, with the
        # web app's vendored Swagger UI and ReDoc files (no CDN)
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.get("/openapi.json", include_in_schema=False, dependencies=[DocsAccess])
    async def openapi_json() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[DocsAccess])
    async def swagger_ui() -> HTMLResponse:
        return docs_page(
            get_swagger_ui_html(
                openapi_url="/openapi.json",
                title="matcher — API docs",
                swagger_js_url=SWAGGER_JS,
                swagger_css_url=SWAGGER_CSS,
                swagger_favicon_url=FAVICON,
            ),
            web_page_settings(app),
        )

    @app.get("/redoc", include_in_schema=False, dependencies=[DocsAccess])
    async def redoc() -> HTMLResponse:
        return docs_page(
            get_redoc_html(
                openapi_url="/openapi.json",
                title="matcher — API docs",
                redoc_js_url=REDOC_JS,
                redoc_favicon_url=FAVICON,
                with_google_fonts=False,
            ),
            web_page_settings(app),
        )

    app.state.engine = None
    app.state.api_settings = None
    errors.install(app)
    app.add_middleware(CachedSuggestions)  # inside both: requests are logged and capped
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(RequestContextMiddleware)  # outermost: logs even refused bodies
    for router in ROUTERS:
        app.include_router(router, responses=errors.RESPONSES)
    install_web(app, web_settings)  # the pages at / (after the API's routes)
    return app


def serve_app() -> FastAPI:
    """The app for ``matcher serve`` (``uvicorn --factory api.main:serve_app``): the
    service settings are read and checked before the server starts, so a bad
    configuration ends as one line on stderr and exit status 78, not a traceback."""
    try:
        service = ApiSettings.from_env()
        service.check()
    except ApiConfigError as exc:
        print(f"error: refusing to start: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None
    return create_app(api_settings=service)


app = create_app()
