import pytest

from catalog.units import SpecValueError, check_number, parse_number, unit_family


@pytest.mark.parametrize(
    ("text", "unit", "number"),
    [
        ("1,370 g", "g", 1370),
        ("1.37kg", "g", 1370),
        ("4,700 mAh", "mAh", 4700),
        ("512 GB / 1 TB", "GB", 1000),
        ("528 MHz", "GHz", 0.528),
    ],
)
def test_a_number_is_read_in_the_fields_unit(text, unit, number):
    assert parse_number(text, unit) == number


def test_ai_accelerators_are_measured_in_tops():
    assert unit_family("TOPS") == "compute"
    assert parse_number("45 TOPS", "TOPS") == 45


def test_the_fields_own_unit_is_understood_even_without_a_family():
    assert unit_family("fps") is None
    assert parse_number("60 fps", "fps") == 60
    assert parse_number("60 FPS", "fps") == 60
    with pytest.raises(SpecValueError, match="unknown unit “fpm”"):
        parse_number("60 fpm", "fps")


def test_an_integer_too_large_for_a_float_is_refused_in_words():
    with pytest.raises(SpecValueError, match="the number is too large"):
        check_number(10**400)


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf"), 1e308, -1e10])
def test_numbers_that_are_not_finite_or_absurd_are_refused(number):
    with pytest.raises(SpecValueError):
        check_number(number)


def test_tiny_numbers_are_kept():
    assert check_number(1.9e-05) == 1.9e-05


@pytest.mark.parametrize(
    ("text", "unit", "number"),
    [
        ("1,5 kg", "g", 1500),  # a decimal comma
        ("1,370.5 g", "g", 1370.5),
        ("1.2 metres", "mm", 1200),
        ("162.1 x 76.4 x 8.6 mm", "mm", 162.1),
        ("4700 mAh (18 Wh)", "mAh", 4700),  # another family's figure is not this field's
        ("8 cores", "", 8),  # a word after a number is not a unit
        ("n/a", "GB", None),
    ],
)
def test_people_write_numbers_many_ways(text, unit, number):
    assert parse_number(text, unit) == number


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("1.34 kilo", "g", "unknown unit “kilo” in “1.34 kilo”: use g, kg, mg, t, lb, oz or st"),
        ("3 zk", "Wh", "unknown unit “zk” in “3 zk”: use Wh, mWh or kWh"),
        ("1.34 kg", "", "“1.34 kg” has a unit (kg), but this field has none"),
    ],
)
def test_a_unit_that_cannot_be_used_is_refused_in_words(text, unit, message):
    with pytest.raises(SpecValueError) as refused:
        parse_number(text, unit)
    assert str(refused.value) == message


def test_numbers_are_shown_in_the_fields_unit_for_people():
    from catalog.units import format_number

    assert format_number(1370, "g") == "1,370 g"
    assert format_number(201.2, "g") == "201.2 g"
    assert format_number(1.9e-05, "GB") == "1.9e-05 GB"
    assert format_number(83.8, "%") == "83.8%"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,370 g", 1370),  # a comma before exactly three digits separates thousands
        ("1,370,500 g", 1370500),
        ("1,3700 g", 1.37),  # four digits: a decimal comma, not 13,700
        ("1,37 g", 1.37),
        ("13,70 g", 13.7),
    ],
)
def test_only_groups_of_exactly_three_digits_are_thousands(text, number):
    assert parse_number(text, "g") == number
