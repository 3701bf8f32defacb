from tests.html import check_page, h1_of
from tracker.models import STATUS_INFO, Status


def test_the_page_defines_every_status_in_its_bucket(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/statuses/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "What the statuses mean"
    for status in Status:
        assert f'id="status-{status.value}"' in html
        assert str(status.label) in html
        assert str(STATUS_INFO[status].definition) in html
    assert html.index("Not yet assessed") < html.index("Completed") < html.index("Superseded")
    assert "This is not a finding that nothing has been done." in html
