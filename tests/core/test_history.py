"""The wording of core.history that no one model decides: who, long texts, the import."""

import pytest
from reversion.models import Revision

from core.history import EXCERPT_LINES, EXCERPT_WIDTH, excerpt, import_comment, who


def test_a_long_line_is_clipped_around_where_it_changed():
    start, end = "a" * 300, "z" * 300
    [(minus, old), (plus, new)] = excerpt(f"{start} cat {end}", f"{start} dog {end}")
    assert (minus, plus) == ("-", "+")
    assert old.startswith("…") and old.endswith("…") and "cat" in old
    assert new.startswith("…") and new.endswith("…") and "dog" in new
    assert len(old) <= EXCERPT_WIDTH + 2


def test_an_excerpt_keeps_only_the_changed_lines_and_at_most_a_few():
    old = "\n".join(f"line {n}" for n in range(40))
    new = "\n".join(f"line {n}" if n % 2 else f"new line {n}" for n in range(40))
    lines = excerpt(old, new)
    assert len(lines) == EXCERPT_LINES + 1
    assert lines[0] == ("-", "line 0") and lines[1] == ("+", "new line 0")
    assert lines[-1] == ("", "… and 34 more changed lines")


def test_added_text_is_an_excerpt_of_plus_lines():
    assert excerpt("", "First words.\n\nSecond.") == (("+", "First words."), ("+", "Second."))


@pytest.mark.django_db
def test_who_names_the_user_or_says_import_or_system(django_user_model):
    ada = django_user_model(username="ada", first_name="Ada", last_name="Lovelace")
    assert who(Revision(user=ada)) == "Ada Lovelace"
    assert who(Revision(user=django_user_model(username="bob"))) == "bob"
    assert who(Revision(comment=import_comment("spring.json"))) == "import"
    assert who(Revision(comment="Published now")) == "system"
