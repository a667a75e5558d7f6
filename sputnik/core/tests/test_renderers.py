"""The widgets drawn in Python give the HTML Django's own templates give."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from sputnik.core.renderers import WIDGETS, FormRenderer


class Sample(forms.Form):
    name = forms.CharField(max_length=20, help_text="Как в ЕГРЮЛ")
    count = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"min": 0}))
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    mail = forms.EmailField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(
        choices=[("", "—"), ("a", "A & B"), ("Группа", [("x", "<икс>"), ("y", "игрек")])]
    )
    kinds = forms.MultipleChoiceField(
        required=False, choices=[("1", "один"), ("2", "два"), ("3", "три")]
    )
    flag = forms.NullBooleanField(required=False)
    hour = forms.CharField(required=False, widget=forms.TimeInput)
    way = forms.ChoiceField(
        widget=forms.RadioSelect(attrs={"class": "list-unstyled"}),
        choices=[("call", "Звонок"), ("Письма", [("mail", "<e-mail>"), ("fax", "факс")])],
    )
    tags = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("1", "один"), ("2", "два & три")],
    )


BOUND = {
    "name": 'ООО "Ромашка" <&>',
    "count": "12",
    "day": "2026-11-28",
    "mail": "a@b.ru",
    "secret": "x",
    "token": "t&1",
    "agree": "on",
    "note": "строка\n<b>вторая</b>",
    "kind": "x",
    "kinds": ["1", "3"],
    "flag": "false",
    "hour": "10:30",
    "way": "mail",
    "tags": ["2"],
}


def spaced(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("data", [None, BOUND], ids=["empty", "bound"])
@pytest.mark.parametrize("name", list(Sample.base_fields))
def test_widget_html_equals_django_templates(name, data):
    form = Sample(data)
    field = form[name]
    attrs = {"class": "form-control", "disabled": True, "data-x": False, "aria-label": '"q"'}
    ours = field.as_widget(attrs=attrs)
    form.renderer = DjangoTemplates()
    theirs = field.as_widget(attrs=attrs)
    assert spaced(ours) == spaced(theirs)
    assert " disabled" in ours
    assert "data-x" not in ours and 'aria-label="&quot;q&quot;"' in ours


def test_every_widget_sample_goes_through_python():
    """The sample covers the templates the renderer takes over, so the comparison above
    is not vacuous."""
    form = Sample(BOUND)
    used = {form[name].field.widget.template_name for name in Sample.base_fields}
    assert used <= set(WIDGETS)
    assert {
        "django/forms/widgets/select.html",
        "django/forms/widgets/textarea.html",
        "django/forms/widgets/text.html",
        "django/forms/widgets/radio.html",
        "django/forms/widgets/checkbox_select.html",
    } <= used


@pytest.mark.parametrize("data", [None, BOUND], ids=["empty", "bound"])
@pytest.mark.parametrize("name", ["way", "tags"])
def test_each_choice_drawn_apart_equals_django_templates(name, data):
    """Forms that lay out radio buttons themselves draw each one (`choice.tag`)."""
    form = Sample(data)
    ours = [spaced(choice.tag()) for choice in form[name]]
    form.renderer = DjangoTemplates()
    theirs = [spaced(choice.tag()) for choice in form[name]]
    assert ours == theirs and len(ours) == 3 - (name == "tags")


def test_other_templates_still_render_through_the_engine():
    class Own(forms.RadioSelect):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Own(choices=[("1", "один")]).get_context("k", "1", {"id": "id_k"})["widget"]
    html = FormRenderer().render("django/forms/widgets/radio.html", {"widget": widget})
    assert 'type="radio"' in html and "checked" in html and "один" in html
    html = FormRenderer().render(
        "django/forms/widgets/clearable_file_input.html",
        {"widget": forms.ClearableFileInput().get_context("f", None, {})["widget"]},
    )
    assert 'type="file"' in html
