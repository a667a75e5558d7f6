"""The words of organisation and person names, for search's typo step (DIR-4).

A typo in a query ("Питров") is matched against the distinct words of the names
(thousands) rather than against the names themselves (millions): the closest words are
found first, then the names containing them, by the same indexes as an exact query.

`directory_search_word` holds (source table, word) pairs; database triggers add the words
of every inserted or renamed name, so imports, merges and the API need not know about it.
Words are never removed: a word no name holds any more only costs one empty lookup.

- PostgreSQL: the triggers split the lower-cased names with a regular expression
  (`[:alnum:]` needs a UTF-8 locale, as `lower()` of Cyrillic does), and a GIN trigram
  index answers `word % 'query'`. Inserts are handled once per statement, over all its
  new rows (a transition table): an import's COPY of 100,000 organisations adds their
  words in ~2.7 s instead of ~12 s row by row. Renames stay row by row, as transition
  tables cannot go with the column list that limits them to the name columns.
- SQLite: the trigger splits the names through `json_each` (SQLite triggers allow no
  recursive queries), keeping their case (SQLite's `lower()` folds ASCII only), and an
  FTS5 trigram table over the words narrows them.

Caution (as for the FTS5 tables of migration 0002): when a later migration rebuilds
`directory_organization` or `directory_person` on SQLite, the triggers are lost; such a
migration must call `install()` again.
"""

from __future__ import annotations

TABLE = "directory_search_word"
FTS_TABLE = "directory_search_word_fts"
# source table → the name columns whose words are kept
SOURCES = {
    "directory_organization": ("short_name", "full_name"),
    "directory_person": ("last_name", "first_name"),
}
MIN_LENGTH = 3  # as the trigram indexes: shorter words cannot be told apart by trigrams
# Characters that end a word on SQLite besides spaces (PostgreSQL uses the regular
# expression above); a few, as each is one more nested replace() in the trigger.
SEPARATORS = "\t\r\n\"\\'«»()[],.;:!?&/-"


def install(schema_editor, fill: bool = True) -> None:
    """Create (or repair) the table, its index and the triggers, and fill it (unless
    `fill` is false: the words are already there)."""
    vendor = schema_editor.connection.vendor
    statements = _postgresql() if vendor == "postgresql" else _sqlite()
    for statement in statements:
        schema_editor.execute(statement)
    if fill:
        rebuild(schema_editor.connection)


def uninstall(schema_editor) -> None:
    for source in SOURCES:
        trigger = f"{source}_search_words"
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {source}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}_insert ON {source}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}_insert")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}_update")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS directory_search_words()")
        schema_editor.execute("DROP FUNCTION IF EXISTS directory_search_words_inserted()")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_insert")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def rebuild(connection) -> None:
    """Add the words of every name (after a bulk load that bypassed the triggers)."""
    with connection.cursor() as cursor:
        for source, columns in SOURCES.items():
            _rebuild(cursor, connection.vendor, source, columns)


def _rebuild(cursor, vendor: str, source: str, columns: tuple[str, ...]) -> None:
    if vendor == "postgresql":
        words = " UNION ".join(
            f"SELECT regexp_split_to_table(lower({column}), '[^[:alnum:]]+') FROM {source}"
            for column in columns
        )
        cursor.execute(
            f"INSERT INTO {TABLE} (source, word) SELECT DISTINCT %s, w FROM ({words}) AS t(w) "
            f"WHERE length(w) >= {MIN_LENGTH} ON CONFLICT DO NOTHING",
            [source],
        )
    else:
        for column in columns:
            cursor.execute(
                f"INSERT OR IGNORE INTO {TABLE} (source, word) "
                f"SELECT DISTINCT '{source}', w.value FROM {source} AS n, "
                f"json_each({_sqlite_words(f'n.{column}')}) AS w "
                f"WHERE length(w.value) >= {MIN_LENGTH}"
            )


def _postgresql() -> list[str]:
    def function(name: str, rows: str) -> str:
        """A trigger function adding the words of the name columns (its arguments) of
        `rows`: the renamed row (NEW) or all rows a statement inserted (a table)."""
        return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {TABLE} (source, word)
            SELECT DISTINCT TG_TABLE_NAME, w
            FROM {rows}, unnest(TG_ARGV) AS c(name),
                 regexp_split_to_table(
                     lower(coalesce(to_jsonb(n) ->> c.name, '')), '[^[:alnum:]]+'
                 ) AS w
            WHERE length(w) >= {MIN_LENGTH}
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$
        """

    statements = [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE TABLE IF NOT EXISTS {TABLE} (source varchar(40) NOT NULL, "
        f"word text NOT NULL, PRIMARY KEY (source, word))",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_trgm ON {TABLE} USING gin (word gin_trgm_ops)",
        function("directory_search_words", "(SELECT NEW.*) AS n"),
        function("directory_search_words_inserted", "inserted AS n"),
    ]
    for source, columns in SOURCES.items():
        trigger = f"{source}_search_words"
        names = ", ".join(columns)
        arguments = ", ".join(f"'{column}'" for column in columns)
        statements += [
            f"DROP TRIGGER IF EXISTS {trigger} ON {source}",
            f"DROP TRIGGER IF EXISTS {trigger}_insert ON {source}",
            f"CREATE TRIGGER {trigger} AFTER UPDATE OF {names} ON {source} "
            f"FOR EACH ROW EXECUTE FUNCTION directory_search_words({arguments})",
            f"CREATE TRIGGER {trigger}_insert AFTER INSERT ON {source} "
            "REFERENCING NEW TABLE AS inserted "
            f"FOR EACH STATEMENT EXECUTE FUNCTION directory_search_words_inserted({arguments})",
        ]
    return statements


def _sqlite_words(expression: str) -> str:
    """A JSON array of the words of a text column (separators turned into spaces, each
    space into a JSON string boundary); an empty array for anything JSON cannot hold."""
    text = f"coalesce({expression}, '')"
    for separator in SEPARATORS:
        quoted = separator.replace("'", "''")
        text = f"replace({text}, '{quoted}', ' ')"
    array = f"""'["' || replace({text}, ' ', '","') || '"]'"""
    return f"CASE WHEN json_valid({array}) THEN {array} ELSE '[]' END"


def _sqlite() -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY, "
        f"source varchar(40) NOT NULL, word text NOT NULL, UNIQUE (source, word))",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(word, "
        f"content='{TABLE}', content_rowid='id', tokenize='trigram')",
        f"DROP TRIGGER IF EXISTS {TABLE}_insert",
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON {TABLE} BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, word) VALUES (new.id, new.word); END",
    ]
    for source, columns in SOURCES.items():
        trigger = f"{source}_search_words"
        inserts = " ".join(
            f"INSERT OR IGNORE INTO {TABLE} (source, word) "
            f"SELECT '{source}', value FROM json_each({_sqlite_words(f'new.{column}')}) "
            f"WHERE length(value) >= {MIN_LENGTH};"
            for column in columns
        )
        statements += [
            f"DROP TRIGGER IF EXISTS {trigger}_insert",
            f"DROP TRIGGER IF EXISTS {trigger}_update",
            f"CREATE TRIGGER {trigger}_insert AFTER INSERT ON {source} BEGIN {inserts} END",
            f"CREATE TRIGGER {trigger}_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {source} BEGIN {inserts} END",
        ]
    return statements
