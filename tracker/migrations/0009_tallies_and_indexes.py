"""Issue 10: precomputed figures (Tally, counted here for the existing rows) and the indexes
the pages at 10,000 commitments need (EXPLAIN QUERY PLAN in docs/benchmarks.md)."""

from django.db import migrations, models


def count_existing(apps, schema_editor):
    """Counted the figures of the commitments already there, into Tally. Tally went in
    0015 (tracker.figures counts with GROUP BY instead), and with it this step's purpose."""


def refresh_sqlite_statistics(apps, schema_editor):
    """SQLite plans from the statistics ANALYZE left, if anybody ran it: statistics that
    predate these indexes made it join every actor to sort 10,000 commitments (20 ms) rather
    than read the new order index (0.6 ms). Refreshed here; none are made where none were."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("ANALYZE")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0008_timeline_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.CharField(choices=[("site", "Whole site"), ("source", "Source"), ("theme", "Theme"), ("owner", "Lead owner"), ("proposer", "Proposer"), ("partner", "Partner"), ("member", "Member state")], max_length=10)),
                ("key", models.PositiveBigIntegerField()),
                ("status", models.CharField(choices=[("not_assessed", "Not yet assessed"), ("not_started", "Not started"), ("in_progress", "In progress"), ("delayed", "Delayed"), ("stalled", "Stalled"), ("ongoing", "Ongoing"), ("completed", "Completed"), ("partially_completed", "Partially completed"), ("discontinued", "Discontinued"), ("superseded", "Superseded")], max_length=30)),
                ("count", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name_plural": "tallies",
                "ordering": ["scope", "key", "status"],
                "constraints": [
                    models.UniqueConstraint(fields=("scope", "key", "status"), name="tally_one_per_status"),
                    models.CheckConstraint(condition=models.Q(("scope__in", ["site", "source", "theme", "owner", "proposer", "partner", "member"])), name="tally_scope_valid"),
                ],
            },
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="statusupdate", name="statusupdate_member_idx"),
        migrations.AddIndex(
            model_name="statusupdate",
            index=models.Index(
                fields=["member", "-as_of", "-created", "-id"], name="statusupdate_member_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(fields=["source", "position"], name="commitment_order_idx"),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(fields=["target_date"], name="commitment_target_idx"),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(fields=["owner", "updated"], name="commitment_owner_upd_idx"),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                fields=["proposer", "updated"], name="commitment_proposer_upd_idx"
            ),
        ),
        migrations.RunPython(refresh_sqlite_statistics, migrations.RunPython.noop),
    ]
