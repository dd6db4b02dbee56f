"""Light pages: static files fingerprinted, cached for a year, and sent gzipped."""
from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request

YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_GZIP_SIZE = 512


def init_app(app: Flask) -> None:
    """Add ?v=<content hash> to every static URL and send static files light."""
    folder = Path(app.static_folder)

    def file_for(filename: str) -> Path | None:
        path = (folder / filename).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            return None
        return path

    def current_fingerprint(filename: str) -> str | None:
        path = file_for(filename)
        return None if path is None else _fingerprint(path, path.stat().st_mtime_ns)

    # Files change only with a deploy (a restart), except while developing.
    fingerprint_of = current_fingerprint if app.debug else lru_cache(maxsize=256)(
        current_fingerprint)

    @app.url_defaults
    def fingerprint(endpoint, values):
        if endpoint == "static" and "v" not in values:
            version = fingerprint_of(values.get("filename", ""))
            if version is not None:
                values["v"] = version

    @app.after_request
    def light_static(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        path = file_for(request.view_args.get("filename", ""))
        if path is None:
            return response
        response.vary.add("Accept-Encoding")
        if request.args.get("v") == _fingerprint(path, path.stat().st_mtime_ns):
            # The URL changes with the content, so a browser may keep this one for good.
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        else:
            # An old or bare URL: the browser revalidates with the ETag (304 if unchanged).
            response.cache_control.no_cache = True
            response.cache_control.max_age = None
        if response.status_code == 200 and _wants_gzip(response):
            body = _gzipped(path, path.stat().st_mtime_ns)
            response.response.close()  # the file send_file opened; we send the gzip
            response.direct_passthrough = False
            response.set_data(body)
            response.content_encoding = "gzip"
            response.headers.pop("Accept-Ranges", None)
            etag, _weak = response.get_etag()
            if etag:
                # Same content, other encoding: a weak ETag still revalidates (RFC 9110).
                response.set_etag(etag, weak=True)
        return response


def _wants_gzip(response: Response) -> bool:
    return ("gzip" in request.accept_encodings and not response.content_encoding
            and "Content-Range" not in response.headers
            and (response.mimetype or "").startswith(COMPRESSIBLE)
            and (response.content_length or 0) >= MIN_GZIP_SIZE)


@lru_cache(maxsize=64)
def _fingerprint(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=64)
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
