"""The inputs core.forms draws in Python are the HTML Django's templates draw."""

import pytest
from django import forms

from core.forms import direct


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.TextInput(attrs={"size": 16, "placeholder": "URL or note"}), 'a "quoted" <b>'),
        (forms.TextInput(), None),
        (forms.NumberInput(attrs={"step": "any", "class": "vBigIntegerField"}), 12.5),
        (forms.HiddenInput(), 42),
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(), False),
        (forms.Textarea(attrs={"rows": 1, "cols": 20, "class": "x"}), "two\nlines & <tags>"),
        (forms.Textarea(), ""),
    ],
    ids=lambda value: type(value).__name__,
)
def test_a_direct_input_draws_what_the_template_draws(widget, value):
    attrs = {"id": "id_row-0-value", "required": True, "disabled": False}
    drawn = direct(widget)
    assert type(drawn) is not type(widget)
    assert drawn.render("row-0-value", value, attrs) == widget.render("row-0-value", value, attrs)


def test_other_widgets_are_left_as_they_are():
    select = forms.Select(choices=[("a", "A")])
    assert direct(select) is select
