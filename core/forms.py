"""Form parts the apps' admins share."""

import copy

from django import forms
from django.utils.html import format_html, format_html_join

from .django_private import loaded_relation


class LoadedChoiceField(forms.ModelChoiceField):
    """A foreign key's choice that takes the row the object points at as the object was
    loaded with it (``loaded``), instead of reading it again; any other choice is looked
    up as usual. Set by LoadedRelationsForm."""

    loaded = None

    def to_python(self, value):
        loaded = self.loaded
        if loaded is not None and value not in self.empty_values and str(value) == str(loaded.pk):
            return loaded
        return super().to_python(value)


class LoadedRelationsForm(forms.ModelForm):
    """A model form whose LoadedChoiceFields take the rows its instance was loaded with
    (``select_related`` in the admin's get_object): saving a device unchanged reads its
    brand, category and chip once, with the device."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name, field in self.fields.items():
            if isinstance(field, LoadedChoiceField):
                model_field = self.instance._meta.get_field(name)
                field.loaded = loaded_relation(self.instance, model_field)


class LoadedRowsFormSet(forms.BaseInlineFormSet):
    """An inline formset whose rows' hidden ids take the rows the formset has read (its
    queryset) instead of reading each again: Django's id field looks up every posted row
    that is validated, a query per photo on each save of a device."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self.model._meta.pk.name
        field = form.fields.get(name)
        row = form.instance
        if isinstance(field, forms.ModelChoiceField) and not row._state.adding and row.pk:
            loaded = LoadedChoiceField(
                field.queryset, initial=field.initial, required=False, widget=field.widget
            )
            loaded.loaded = row
            form.fields[name] = loaded


def _attributes(attrs):
    """Attributes as Django's attrs.html template writes them: in order, True as a bare name,
    False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class DirectInput:
    """An input drawn in Python, as Django's template for it draws it (the same HTML): a
    device's form has forty rows of seven inputs, and a template render for each was most
    of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            shown,
            _attributes(widget["attrs"]),
        )


class DirectTextInput(DirectInput, forms.TextInput):
    pass


class DirectNumberInput(DirectInput, forms.NumberInput):
    pass


class DirectHiddenInput(DirectInput, forms.HiddenInput):
    pass


class DirectCheckboxInput(DirectInput, forms.CheckboxInput):
    pass


class DirectTextarea(forms.Textarea):
    """A text box drawn in Python, as Django's template draws it (see DirectInput)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            widget["name"],
            _attributes(widget["attrs"]),
            widget["value"] or "",
        )


DIRECT = {
    forms.TextInput: DirectTextInput,
    forms.NumberInput: DirectNumberInput,
    forms.HiddenInput: DirectHiddenInput,
    forms.CheckboxInput: DirectCheckboxInput,
    forms.Textarea: DirectTextarea,
}


def direct(widget):
    """``widget``, drawn in Python if it is one of Django's plain inputs (with all it was
    given: its attributes, whether it is required), else itself."""
    kind = DIRECT.get(type(widget))
    if kind is None:
        return widget
    drawn = copy.copy(widget)
    drawn.__class__ = kind  # a subclass that only draws differently
    return drawn


class DirectInputsFormSet(forms.BaseFormSet):
    """A formset of many rows whose plain inputs (ids, texts, numbers, check boxes, the
    delete box) are drawn in Python (DirectInput)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            field.widget = direct(field.widget)
