"""The admin's own markup where Django's falls short: every input named, every select valid.

tests/test_accessibility.py and tests/test_html_validity.py check these pages whole in a real
browser; these tests pin each fix without one (see docs/accessibility.md).
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.utils import translation

from tests.forms import form_data
from tracker.models import Commitment


def _change_page(client, commitment: Commitment) -> str:
    return client.get(f"/admin/tracker/commitment/{commitment.pk}/change/").content.decode()


def _tag(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.DOTALL)
    assert found, f"{pattern} is not on the page"
    return found.group()


def test_each_target_date_in_the_changelist_is_named_after_its_row(editor_client, make_commitment):
    make_commitment(title="Connect data centres")

    html = editor_client.get("/admin/tracker/commitment/").content.decode()

    date_input = _tag(html, r'<input type="text" name="form-0-target_date"[^>]*>')
    assert 'aria-label="Target date of “Connect data centres”"' in date_input
    # It pointed at a help text that the list never shows.
    assert "aria-describedby" not in date_input


def test_a_required_autocomplete_starts_with_an_empty_choice_that_has_text(
    editor_client, make_commitment, make_actor
):
    commitment = make_commitment(owner=make_actor(name="The Ministry"))

    html = _change_page(editor_client, commitment)

    owner = _tag(html, r'<select name="owner".*?</select>')
    assert "required" in owner
    assert re.findall(r"<option[^>]*>([^<]*)</option>", owner) == ["---------", "The Ministry"]
    member_group = _tag(html, r'<select name="member_group".*?</select>')
    assert re.findall(r"<option[^>]*>([^<]*)</option>", member_group) == ["---------"]


def test_fields_taking_several_objects_have_no_remove_all_button_and_a_named_search_box(
    editor_client, make_commitment
):
    html = _change_page(editor_client, make_commitment())

    assert 'data-allow-clear="false"' in _tag(html, r'<select name="partners"[^>]*>')
    assert '<script src="/static/js/admin-autocomplete.js"></script>' in html
    assert html.index("admin/js/autocomplete.js") < html.index("js/admin-autocomplete.js")


def test_the_hidden_version_inputs_have_no_label_and_still_go_back_with_the_form(
    editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge")

    html = _change_page(editor_client, commitment)
    data = form_data(
        editor_client, f"/admin/tracker/commitment/{commitment.pk}/change/", "commitment_form"
    )

    assert 'for="id_loaded_version"' not in html and 'for="id_loaded_snapshot"' not in html
    assert data["loaded_version"] == [str(commitment.version)]
    assert data["loaded_snapshot"][0]


@pytest.mark.parametrize("title", ["Bridge", '<b>Tom & Jerry\'s "bridge"</b>', "{} %s"])
@pytest.mark.parametrize("language", ["en", "vi", "id"])
def test_each_rows_action_checkbox_is_djangos_own(make_commitment, title, language):
    from tracker.admin import CommitmentAdmin

    commitment = make_commitment(title=title)
    model_admin = CommitmentAdmin(Commitment, admin.site)

    with translation.override(language):
        ours = model_admin.action_checkbox(commitment)
        assert ours == admin.ModelAdmin.action_checkbox(model_admin, commitment)
