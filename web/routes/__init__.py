"""The page routers, one per part of the app; :func:`web.app.install` includes them."""

from __future__ import annotations

from fastapi import APIRouter

from web.routes import auth, home, inbox, mail, officer, partnership, profile, suggestions

ROUTERS: list[APIRouter] = [
    auth.router,
    home.router,
    profile.router,
    suggestions.router,
    inbox.router,
    partnership.router,
    officer.router,
    mail.router,
]
