"""The search index (tracker/search.py): one document per commitment, in each database's own
full-text index. The model is Django's; the table is made here, differently per database:

- PostgreSQL: a table with a stored, generated tsvector of the four weighted columns (the
  words are normalised in Python already, so the 'simple' configuration only splits them),
  and a GIN index on it.
- SQLite: an FTS5 table, whose implicit rowid is the commitment's id (so the join from a
  commitment is a lookup by key) and whose `originals` column is stored, not indexed.

The documents of commitments that exist already are written after the migration
(search_index._after_migrate()), by the app's own code: a migration's historical models could not
run it.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = """
CREATE TABLE tracker_searchdocument (
    rowid bigint PRIMARY KEY
        REFERENCES tracker_commitment (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    titles text NOT NULL,
    texts text NOT NULL,
    notes text NOT NULL,
    passage text NOT NULL,
    originals text NOT NULL,
    vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, titles), 'A')
        || setweight(to_tsvector('simple'::regconfig, texts), 'B')
        || setweight(to_tsvector('simple'::regconfig, notes), 'C')
        || setweight(to_tsvector('simple'::regconfig, passage), 'D')
    ) STORED
);
CREATE INDEX tracker_searchdocument_vector ON tracker_searchdocument USING gin (vector);
"""

SQLITE = """
CREATE VIRTUAL TABLE tracker_searchdocument USING fts5(
    titles, texts, notes, passage, originals UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"Search needs PostgreSQL or SQLite, not {vendor}.")
    schema_editor.execute(POSTGRESQL if vendor == "postgresql" else SQLITE)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE tracker_searchdocument")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0019_translations_of_sources_and_notes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchDocument",
                    fields=[
                        (
                            "commitment",
                            models.OneToOneField(
                                db_column="rowid",
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="search_document",
                                serialize=False,
                                to="tracker.commitment",
                                verbose_name="commitment",
                            ),
                        ),
                        ("titles", models.TextField(verbose_name="words of the titles")),
                        ("texts", models.TextField(verbose_name="words of the summaries, quote and names")),
                        ("notes", models.TextField(verbose_name="words of the notes")),
                        ("passage", models.TextField(verbose_name="words of the source's passage")),
                        ("originals", models.TextField(verbose_name="texts shown in excerpts")),
                    ],
                    options={
                        "db_table": "tracker_searchdocument",
                        "verbose_name": "search document",
                        "verbose_name_plural": "search documents",
                    },
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
