"""The detection service's HTTP API, versioned under /api/v1 (issue 8)."""

from __future__ import annotations

from fastapi import APIRouter

from footprint.settings import Settings


def create_router(settings: Settings) -> APIRouter:
    return APIRouter()
