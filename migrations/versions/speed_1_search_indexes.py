"""indexes for fast invoice lists and customer search

Revision ID: speed_1
Revises: 0001
Create Date: 2026-12-03 16:30:00

"""
from alembic import op

revision = 'speed_1'
down_revision = '0001'
branch_labels = None
depends_on = None

# Digits only, so "1020304" finds "1.020.304".
SQLITE_DIGITS = ("replace(replace(replace(replace({0}.identification, '.', ''), '-', ''), ' ', ''),"
                 " ',', '')")
SQLITE_ROW = "({0}.id, {0}.name, {0}.identification || ' ' || " + SQLITE_DIGITS + ")"
SQLITE_SEARCH = [
    # Contentless FTS5 index of customers: accents and case folded, prefix queries on words.
    """CREATE VIRTUAL TABLE customers_search USING fts5(
        name, identification, content='', tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
        INSERT INTO customers_search(rowid, name, identification) VALUES {SQLITE_ROW.format('new')};
        END""",
    f"""CREATE TRIGGER customers_search_update AFTER UPDATE OF name, identification ON customers
        BEGIN
        INSERT INTO customers_search(customers_search, rowid, name, identification)
            VALUES ('delete', {SQLITE_ROW.format('old')[1:]};
        INSERT INTO customers_search(rowid, name, identification) VALUES {SQLITE_ROW.format('new')};
        END""",
    f"""CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
        INSERT INTO customers_search(customers_search, rowid, name, identification)
            VALUES ('delete', {SQLITE_ROW.format('old')[1:]};
        END""",
    "INSERT INTO customers_search(rowid, name, identification) SELECT "
    + SQLITE_ROW.format('customers')[1:-1] + " FROM customers",
]
# Must match pos_notes.search.POSTGRES_KEY exactly, or PostgreSQL will not use the index.
POSTGRES_KEY = ("translate(lower(name || ' ' || identification || ' ' || "
                "regexp_replace(identification, '[^0-9]', '', 'g')), 'áéíóúüñ', 'aeiouun')")
POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX ix_customers_search ON customers USING gin (({POSTGRES_KEY}) gin_trgm_ops)",
]


def upgrade():
    # Newest-first lists filtered by status or by customer read straight off these.
    op.create_index('ix_invoices_status_number', 'invoices', ['status', 'number'])
    op.create_index('ix_invoices_customer_number', 'invoices', ['customer_id', 'number'])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_SEARCH if postgres else SQLITE_SEARCH:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_customers_search")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER customers_search_{name}")
        op.execute("DROP TABLE customers_search")
    op.drop_index('ix_invoices_customer_number', 'invoices')
    op.drop_index('ix_invoices_status_number', 'invoices')
