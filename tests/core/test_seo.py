"""The one-line description for meta tags, OpenGraph and JSON-LD (core.text.meta_text)."""

from django.template import Context, Template
from django.utils.safestring import mark_safe

from core.text import META_LENGTH, meta_text


def test_any_run_of_whitespace_becomes_one_space():
    assert meta_text("  One\nline,\r\n\r\ntwo\tthree   four.  ") == "One line, two three four."


def test_short_text_is_kept_whole():
    text = "x" * META_LENGTH
    assert meta_text(text) == text


def test_long_text_is_cut_at_a_word_boundary_with_an_ellipsis():
    text = " ".join(f"word{i}" for i in range(100))
    short = meta_text(text)
    assert len(short) <= META_LENGTH
    assert short.endswith("…")
    kept = short.removesuffix("…").split(" ")
    assert kept == text.split(" ")[: len(kept)]
    assert len(short) > META_LENGTH - len("word99 ")


def test_a_cut_drops_trailing_punctuation_before_the_ellipsis():
    text = "x" * 100 + " tail, " + "y" * 100
    assert meta_text(text) == "x" * 100 + " tail…"


def test_one_huge_word_is_cut_anywhere():
    short = meta_text("y" * 500)
    assert short == "y" * (META_LENGTH - 1) + "…"


def test_a_limit_can_be_given():
    assert meta_text("one two three four", limit=10) == "one two…"


def test_none_and_empty_give_an_empty_line():
    assert meta_text(None) == ""
    assert meta_text(" \n ") == ""


def render(source, **context):
    return Template("{% load seo %}" + source).render(Context(context))


def test_filter_escapes_plain_text():
    assert (
        render("{{ text|meta_text }}", text="Big <news>\n& more") == "Big &lt;news&gt; &amp; more"
    )


def test_filter_measures_escaped_text_as_the_reader_sees_it():
    text = mark_safe("Q&amp;A " * 50)
    short = render("{% filter meta_text %}{{ text }}{% endfilter %}", text=text)
    assert short.startswith("Q&amp;A Q&amp;A")
    assert len(short.replace("&amp;", "&")) <= META_LENGTH
    assert "&amp…" not in short and short.endswith("Q&amp;A…")


def test_filter_wraps_a_block_of_template_text():
    rendered = render(
        "{% filter meta_text %}\n  {{ a }}\n\n  {{ b }}\n{% endfilter %}", a="A", b="B"
    )
    assert rendered == "A B"
