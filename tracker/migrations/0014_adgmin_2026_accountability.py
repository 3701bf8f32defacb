"""Issue 18: the ADGMIN 2026 data corrections of docs/adgmin-2026.md, for databases that loaded
the fixture before them.

`make run` and `load_sources` skip a source that is already loaded, so an existing database
would keep "ADGMIN" as the owner of 17 commitments, and every commitment the default kind. Here
each change is made only where the row still holds the value the old fixture gave it: an
editor's own later change is kept. A database without the ADGMIN source is left alone (a new
one gets the corrected fixture). The public pages' version moves on.
"""

import uuid

from django.db import migrations
from django.db.models import F
from django.utils import timezone

SOURCE = "adgmin-2026-hanoi"

# slug: (owner in the old fixture, owner now, kind)
COMMITMENTS = {
    "adopt-a-unified-digital-master-plan": ("adgmin", "asean", "proposal"),
    "create-a-unified-asean-ai-network": ("adgmin", "asean", "proposal"),
    "propose-eight-focus-areas-for-digital-transformation": ("adgmin", "adgmin", "proposal"),
    "collaborate-on-data-governance-and-ai": (
        "viet-nam-ministry-of-science-and-technology",
        "viet-nam-ministry-of-science-and-technology",
        "commitment",
    ),
    "advance-inclusive-digital-cooperation": ("adgmin", "asean", "commitment"),
    "narrow-the-digital-divide": ("adgmin", "asean", "commitment"),
    "foster-a-trustworthy-and-secure-digital-space": ("adgmin", "asean", "commitment"),
    "pursue-a-balanced-human-centric-digital-strategy": ("adgmin", "asean", "advice"),
    "pursue-a-human-centred-ethical-digital-ecosystem": ("adgmin", "asean", "proposal"),
    "harmonise-legal-frameworks": ("adgmin", "asean-member-states", "proposal"),
    "establish-data-sharing-mechanisms": ("adgmin", "asean", "proposal"),
    "guide-ai-development-with-transparency-and-flexibility": ("adgmin", "asean", "proposal"),
    "upgrade-the-regional-digital-backbone": ("adgmin", "asean-member-states", "proposal"),
    "develop-domestic-data-centres": ("asean-member-states", "asean-member-states", "proposal"),
    "connect-national-data-centres": ("adgmin", "asean-member-states", "proposal"),
    "cooperate-on-satellite-technologies": ("adgmin", "asean", "proposal"),
    "enhance-cybersecurity-information-sharing": ("adgmin", "asean-member-states", "proposal"),
    "enhance-joint-cybersecurity-exercises": ("adgmin", "asean-member-states", "proposal"),
    "combat-online-fraud-and-cybercrime": ("adgmin", "asean-member-states", "proposal"),
    "develop-human-capital-in-key-digital-fields": (
        "asean-member-states",
        "asean-member-states",
        "proposal",
    ),
    "build-digital-citizens-through-digital-literacy": (
        "asean-member-states",
        "asean-member-states",
        "proposal",
    ),
}

VIET_NAMS_OWN = (
    "nguyen-manh-hung",
    "pham-minh-chinh",
    "viet-nam-ministry-of-science-and-technology",
)


def correct_adgmin(apps, schema_editor):
    Source = apps.get_model("tracker", "Source")
    Actor = apps.get_model("tracker", "Actor")
    Commitment = apps.get_model("tracker", "Commitment")
    MemberState = apps.get_model("tracker", "MemberState")
    ContentVersion = apps.get_model("tracker", "ContentVersion")
    if not Source.objects.filter(slug=SOURCE).exists():
        return
    Actor.objects.get_or_create(
        slug="asean",
        defaults={"name": "ASEAN", "kind": "group", "name_vi": "ASEAN", "name_id": "ASEAN"},
    )
    actors = {actor.slug: actor for actor in Actor.objects.all()}
    member_states = Actor.objects.filter(slug="asean-member-states").first()
    viet_nam = MemberState.objects.filter(slug="viet-nam").first()
    if viet_nam is not None:
        Actor.objects.filter(slug__in=VIET_NAMS_OWN, member_state__isnull=True).update(
            member_state=viet_nam
        )
    changed = False
    for commitment in Commitment.objects.filter(source__slug=SOURCE).select_related("owner"):
        if commitment.slug not in COMMITMENTS:
            continue
        old_owner, new_owner, kind = COMMITMENTS[commitment.slug]
        values = {}
        if commitment.owner.slug == old_owner and new_owner != old_owner and new_owner in actors:
            values["owner"] = actors[new_owner]
        if commitment.kind == "commitment" and kind != "commitment":
            values["kind"] = kind
        if values:
            Commitment.objects.filter(pk=commitment.pk).update(
                **values, updated=timezone.now(), version=commitment.version + 1
            )
            changed = True
        # The member states own it now: no longer also its partner.
        if "owner" in values and new_owner == "asean-member-states" and member_states:
            commitment.partners.remove(member_states)
    if changed:
        ContentVersion.objects.update(
            number=F("number") + 1, token=uuid.uuid4().hex, changed=timezone.now()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0013_derived_status_kind_publisher"),
    ]

    operations = [
        migrations.RunPython(correct_adgmin, migrations.RunPython.noop),
    ]
