"""Build the POST a browser would send from an admin change page, so tests change only what they mean to."""

from __future__ import annotations

import datetime as dt

from django import forms


def changeform_data(response) -> dict:
    """The unchanged form of an admin add/change page: the main form, every inline and its management form."""
    data: dict = {}
    add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(data, formset.management_form)
        for form in formset.forms:
            add_form(data, form)
    return data


def add_form(data: dict, form) -> None:
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(field, forms.FileField | forms.ModelMultipleChoiceField) and not value:
            continue
        elif value is None:
            data[bound.html_name] = ""
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif isinstance(value, dt.date):
            data[bound.html_name] = value.isoformat()
        else:
            data[bound.html_name] = str(value)


def inline_prefix(response, model) -> str:
    """The form prefix of the inline for `model` on an admin change page (e.g. "reports")."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise LookupError(f"no inline for {model.__name__}")


def add_inline_row(data: dict, response, model, **values) -> dict:
    """Fill the first empty extra row of an inline (adding one if there is none) with `values`."""
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        if formset.model is not model:
            continue
        prefix = formset.prefix
        index = int(data[f"{prefix}-TOTAL_FORMS"])
        initial = int(data[f"{prefix}-INITIAL_FORMS"])
        if index > initial:
            index = initial  # reuse the first blank extra row
        else:
            data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
        for name, value in values.items():
            if hasattr(value, "read") or isinstance(value, list):
                data[f"{prefix}-{index}-{name}"] = value  # uploads go as they are
            else:
                data[f"{prefix}-{index}-{name}"] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return data
    raise LookupError(f"no inline for {model.__name__}")


def form_errors(response) -> dict:
    """{field: [codes]} of the main form of an admin page that came back with errors."""
    return {field: [e.code for e in errors] for field, errors in response.context["adminform"].form.errors.as_data().items()}


def inline_errors(response, model) -> list[dict]:
    """Per row of the inline for `model`: {field: [codes]}."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return [{f: [e.code for e in errs] for f, errs in form.errors.as_data().items()} for form in inline.formset.forms]
    raise LookupError(f"no inline for {model.__name__}")
