"""The one source of "now", so tests and the demo can control time."""
from datetime import datetime, timezone

_frozen: datetime | None = None


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(moment: datetime | None) -> None:
    """Pin now() to a moment (None releases it)."""
    global _frozen
    _frozen = moment
