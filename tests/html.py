"""A small HTML checker for page tests: balanced tags, one <h1>, landmarks, ids unique."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "rect", "path", "circle", "line",
}  # fmt: skip
# Elements whose end tag HTML lets you leave out; we always close them, but tolerate it.
OPTIONAL_END = {"p", "li", "dt", "dd", "option", "tr", "td", "th"}


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.ids: list[str] = []
        self.text_by_tag: dict[str, list[str]] = {}
        self._capture: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))
            if tag in ("title", "h1"):
                self._capture.append(tag)
                self.text_by_tag.setdefault(tag, []).append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack and self.stack[-1][0] != tag and self.stack[-1][0] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"line {self.getpos()[0]}: unexpected </{tag}>")
            return
        self.stack.pop()
        if self._capture and self._capture[-1] == tag:
            self._capture.pop()

    def handle_data(self, data):
        for tag in self._capture:
            self.text_by_tag[tag][-1] += data


def check_page(html: str, language: str = "en") -> PageParser:
    """Parse a page and assert the structure every public page must have, in `language`."""
    parser = PageParser()
    parser.feed(html)
    parser.close()
    open_tags = [
        f"<{tag}> from line {line}" for tag, line in parser.stack if tag not in OPTIONAL_END
    ]
    assert not parser.problems, parser.problems
    assert not open_tags, f"unclosed: {open_tags}"
    names = [tag for tag, _ in parser.tags]
    html_attrs = dict(parser.tags)["html"]
    assert html_attrs.get("lang") == language
    assert names.count("h1") == 1, f"{names.count('h1')} <h1> elements"
    assert names.count("main") == 1
    assert "header" in names and "footer" in names and "nav" in names
    assert any(t == "meta" and a.get("name") == "viewport" for t, a in parser.tags)
    assert parser.text_by_tag["title"][0].strip()
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not duplicates, f"duplicate ids: {duplicates}"
    for tag, attrs in parser.tags:
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            assert any(t == "label" and a.get("for") == attrs.get("id") for t, a in parser.tags), (
                f"<{tag} name={attrs.get('name')}> has no label"
            )
    return parser


def title_of(html: str) -> str:
    parser = PageParser()
    parser.feed(html)
    return " ".join(parser.text_by_tag["title"][0].split())


def h1_of(html: str) -> str:
    parser = PageParser()
    parser.feed(html)
    return " ".join(parser.text_by_tag["h1"][0].split())
