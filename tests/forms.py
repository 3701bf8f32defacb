"""Submitting HTML forms as a browser would: read a page's form, change some fields, post it."""

from __future__ import annotations

from html.parser import HTMLParser


class FormData(HTMLParser):
    """Collects what a browser would submit from one <form>: its inputs, selects and textareas."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._select_values: list[str] = []
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs)
            self._select_values, self._first_option = [], None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self._select_values.append(value)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            name, multiple = self._select
            values = self._select_values
            if not values and not multiple and self._first_option is not None:
                values = [self._first_option]
            for value in values:
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that Django writes after <textarea>.
            self._add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None


def form_data(client, url: str, form_id: str, **changes) -> dict[str, list[str]]:
    """The data of the form `form_id` on the page at `url`, with some fields changed.

    A value of [] leaves a field out, as a browser does with an unticked checkbox.
    """
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    parser = FormData(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form with id {form_id!r} on {url}"
    data = parser.data
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return data
