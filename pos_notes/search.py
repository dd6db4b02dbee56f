"""Customer search off an index: SQLite FTS5 or PostgreSQL trigrams (migration speed_1)."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Select, bindparam, select, text

from .extensions import db
from .models import Customer

# Must match the expression of ix_customers_search in migration speed_1, character for
# character, or PostgreSQL will not use the index.
POSTGRES_KEY = ("translate(lower(name || ' ' || identification || ' ' || "
                "regexp_replace(identification, '[^0-9]', '', 'g')), 'áéíóúüñ', 'aeiouun')")
WORDS = re.compile(r"[^\W_]+")
MAX_WORDS = 8


def not_search_index(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic autogenerate: the search index (FTS5 tables on SQLite, a pg_trgm
    expression index on PostgreSQL) belongs to migration speed_1, not to the models."""
    return not (name and name.startswith(("customers_search", "ix_customers_search")))


def words(q: str) -> list[str]:
    """The words of a search box, as the index sees them (punctuation is a separator)."""
    return WORDS.findall(q.lower())[:MAX_WORDS]


def fold_accents(word: str) -> str:
    """pérez -> perez, as the index folds names (FTS5 does this itself on SQLite)."""
    return "".join(c for c in unicodedata.normalize("NFKD", word)
                   if not unicodedata.combining(c))


def matching_customers(q: str) -> Select:
    """Ids of the customers whose name or identification has words starting with q's words.

    Accents and case do not matter ("perez" finds "Pérez"); "1020304" and "1.020" both
    find identification 1.020.304. SQLite matches word prefixes, PostgreSQL any substring.
    """
    terms = words(q)
    if not terms:
        return select(Customer.id).where(False)
    if db.engine.dialect.name == "postgresql":
        query = select(Customer.id)
        for i, term in enumerate(fold_accents(term) for term in terms):
            query = query.where(text(f"{POSTGRES_KEY} LIKE :term{i}").bindparams(
                bindparam(f"term{i}", f"%{term}%")))
        return query
    match = " ".join(f'"{term}"*' for term in terms)
    return select(text("rowid AS id")).select_from(text("customers_search")).where(
        text("customers_search MATCH :match").bindparams(match=match))
