"""htmx helpers: one template answers both a whole page and its fragment."""
from flask import make_response, render_template, request


def is_htmx() -> bool:
    """An htmx request that wants a fragment. A boosted link wants the whole page, and so
    does Back restoring a pushed URL (htmx 2 sends HX-Request on that request too)."""
    return request.headers.get("HX-Request") == "true" and \
        request.headers.get("HX-Boosted") != "true" and \
        request.headers.get("HX-History-Restore-Request") != "true"


def render(page: str, fragment: str, **context):
    """Whole page for a normal request, just the fragment for htmx."""
    response = make_response(render_template(fragment if is_htmx() else page, **context))
    response.vary.add("HX-Request")
    return response
