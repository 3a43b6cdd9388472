"""Search folding: the same rule in Python and in each database's specwise_unaccent."""

import pytest
from django.db import connection
from django.db.models import Value

from catalog.models import Brand
from core.search import Fold, fold, fold_name
from tests.factories import BrandFactory

SPELLINGS = [
    ("Portégé", "portege"),
    ("PORTÉGÉ", "portege"),
    ("MediaTek", "mediatek"),
    ("Crème Brûlée", "creme brulee"),
    ("Straße", "strasse"),
    ("Łódź", "lodz"),
    ("Ærø", "aero"),
    ("Ñandú", "nandu"),
    ("5_0 %", "5_0 %"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "folded"), SPELLINGS)
def test_fold_lowercases_and_drops_accents(text, folded):
    assert fold(text) == folded


def test_fold_keeps_null_and_reads_numbers_as_text():
    assert fold(None) is None
    assert fold(12) == "12"


def test_names_are_folded_with_any_run_of_whitespace_as_one_space():
    assert fold_name("  Battery \t Capacité\n") == "battery capacite"
    assert fold_name("Portégé") == fold("Portégé")


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "folded"), SPELLINGS)
def test_the_database_folds_the_same_way(text, folded):
    with connection.cursor() as cursor:
        cursor.execute("SELECT specwise_unaccent(%s)", [text])
        assert cursor.fetchone()[0] == folded


@pytest.mark.django_db
def test_fold_expression_in_a_query():
    BrandFactory(name="Citroën")

    folded = Brand.objects.annotate(folded=Fold("name")).values_list("folded", flat=True)
    assert list(folded) == ["citroen"]
    assert Brand.objects.filter(name="Citroën").annotate(x=Fold(Value(None))).get().x is None
