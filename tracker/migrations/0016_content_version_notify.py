"""On PostgreSQL, every change of the content version's row notifies the processes listening
(tracker.versions._Listener), whoever makes it: the app, a restore, a psql session."""

from django.db import migrations

CREATE = """
CREATE FUNCTION tracker_content_version_notify() RETURNS trigger AS $$
BEGIN
    -- The new token: a writer waits to be told of its own (tracker.versions._Listener.told).
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('tracker_content_version', NEW.token);
    ELSE
        PERFORM pg_notify('tracker_content_version', '');
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_content_version_changed
    AFTER INSERT OR UPDATE OR DELETE ON tracker_contentversion
    FOR EACH ROW EXECUTE FUNCTION tracker_content_version_notify();
CREATE TRIGGER tracker_content_version_truncated
    AFTER TRUNCATE ON tracker_contentversion
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_content_version_notify();
"""
DROP = """
DROP TRIGGER IF EXISTS tracker_content_version_truncated ON tracker_contentversion;
DROP TRIGGER IF EXISTS tracker_content_version_changed ON tracker_contentversion;
DROP FUNCTION IF EXISTS tracker_content_version_notify();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0015_remove_tallies"),
    ]

    operations = [migrations.RunPython(create, drop)]
