from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from news.markdown import render_markdown, sanitise
from tests.factories import ArticleFactory

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript&#58;alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![pic](javascript:alert(1))",
    "<<script>script>alert(1)<</script>/script>",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[ref]\n\n[ref]: javascript:alert(1)",
    '[x](https://ok.example "title" onmouseover=alert(1))',
    "> <script>alert(1)</script>\n> - <img src=x onerror=alert(1)>",
    "`<script>` and ```\n<script>alert(1)</script>\n```",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!-- <script>alert(1)</script> -->",
    "| a |\n|---|\n| <script>alert(1)</script> |",
]


class ElementCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html):
    collector = ElementCollector()
    collector.feed(html)
    collector.close()
    return collector.elements


SAFE_TAGS = {"p", "a", "img", "blockquote", "ul", "ol", "li", "code", "pre", "table"}
SAFE_TAGS |= {"thead", "tbody", "tr", "th", "td", "strong", "em", "h2", "h3", "br", "hr"}
# The one div: the box render_markdown puts a table in.
TABLE_BOX = ("div", {"class": "table-scroll", "tabindex": "0"})


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_leaves_no_active_content(source):
    html = render_markdown(source)
    for tag, attrs in elements(html):
        if (tag, attrs) == TABLE_BOX:
            continue
        assert tag in SAFE_TAGS, html
        assert set(attrs) <= {"href", "src", "alt", "title", "rel"}, html
        for name in ("href", "src"):
            url = (attrs.get(name) or "").strip().lower()
            # Relative URLs are fine ("java%0ascript:" has no scheme for a browser either).
            assert urlsplit(url).scheme in {"", "http", "https"}, html
    # Whatever is left of the hostile markup is inert text.
    assert "<script" not in html.lower()


# The sanitiser on its own: Markdown escapes raw HTML before it, so these never reach it
# through a story, and would go untested otherwise.

REL = 'rel="noopener noreferrer nofollow"'


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        ("<p>ok<script>alert(1)</script></p>", "<p>ok</p>"),
        ('<img src="/a.png" onerror="alert(1)" alt="a">', '<img src="/a.png" alt="a">'),
        ('<a href="javascript:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href=" JaVaScRiPt:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href="/ok" onclick="alert(1)">x</a>', f'<a href="/ok" {REL}>x</a>'),
        ('<p style="background:url(javascript:alert(1))" class="c">x</p>', "<p>x</p>"),
        ('<iframe src="https://evil.example"></iframe><style>p{}</style>', ""),
        ("<svg onload=alert(1)><circle/></svg><!-- <script> -->", ""),
        ('<form action="/steal"><input name="card"></form>', ""),
        # A div keeps only the table box's class, and never a handler or a style.
        (
            '<div class="table-scroll evil" onclick="alert(1)" style="x">t</div>',
            '<div class="table-scroll">t</div>',
        ),
        ('<div class="overlay" tabindex="0">t</div>', '<div class="" tabindex="0">t</div>'),
    ],
)
def test_the_sanitiser_removes_scripts_handlers_script_urls_and_styles(html, kept):
    assert sanitise(html) == kept


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        # Markdown accepts these; only the sanitiser's allow-lists take them out.
        ("[files](ftp://files.example/a)", f"<p><a {REL}>files</a></p>\n"),
        ("[call](tel:+123)", f"<p><a {REL}>call</a></p>\n"),
        ("![pixel](data:image/png;base64,iVBORw0KGgo=)", '<p><img alt="pixel"></p>\n'),
        ("```python\nx = 1\n```", "<pre><code>x = 1\n</code></pre>\n"),
    ],
)
def test_rendered_markdown_goes_through_the_sanitiser(source, rendered):
    assert render_markdown(source) == rendered


def test_a_table_scrolls_in_its_own_box_and_a_typed_box_is_text():
    html = render_markdown(
        '| Display | Price |\n|---|---|\n| 6.1 in | $799 |\n\n<div class="table-scroll">x</div>'
    )
    assert html.startswith('<div class="table-scroll" tabindex="0"><table>\n<thead>')
    assert "</tbody>\n</table></div>\n" in html
    assert html.endswith('<p>&lt;div class="table-scroll"&gt;x&lt;/div&gt;</p>\n')


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_links_get_safe_rel():
    html = render_markdown("[Specwise](https://specwise.example/)")
    assert 'href="https://specwise.example/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_markdown_features_survive():
    html = render_markdown(
        "# Big\n\n## Sub\n\n- one\n- two\n\n1. a\n\n**b** *i* `c`\n\n> q\n\n"
        "| x | y |\n|---|--:|\n| 1 | 2 |\n\n![alt](https://img.example/a.png)"
    )
    # The page owns the h1; a body h1 becomes an h2.
    assert "<h1>" not in html and "<h2>Big</h2>" in html and "<h2>Sub</h2>" in html
    for fragment in ("<ul>", "<ol>", "<strong>b</strong>", "<em>i</em>", "<code>c</code>"):
        assert fragment in html
    assert "<blockquote>" in html and "<table>" in html and "<td>2</td>" in html
    assert '<img src="https://img.example/a.png" alt="alt">' in html


def test_nul_bytes_and_entities_are_harmless():
    html = render_markdown("a\x00b &amp; &copy; &#60;script&#62;")
    assert "\x00" not in html
    assert "<script" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_saving_an_article_renders_its_body():
    article = ArticleFactory(body="Hello **world** <script>x</script>")
    assert "<strong>world</strong>" in article.body_html
    assert "<script" not in article.body_html
    article.body = "Changed _text_"
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert article.body_html == "<p>Changed <em>text</em></p>\n"
