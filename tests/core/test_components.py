"""nhsuk(): NHS.UK component macros called once per distinct set of parameters
(openqi/core/jinja2.py Components), giving exactly the macro's own HTML."""

import pytest
from django.template import engines
from markupsafe import Markup

from openqi.core.jinja2 import Components


def env():
    return engines["jinja2"].env


def direct(name: str, macro: str, params: dict) -> str:
    source = (
        f'{{% from "nhsuk/components/{name}/macro.jinja" import {macro} %}}'
        f"{{{{ {macro}(params) }}}}"
    )
    return env().from_string(source).render({"params": params})


HEADER = {
    "service": {"text": "OpenQI", "href": "/"},
    "account": {
        "items": [{"href": "/profile/", "text": "A <b>name</b>", "icon": True}]
    },
    "navigation": {
        "items": [
            {"text": f"Item {i}", "href": f"/o/x/{i}/", "current": i == 2}
            for i in range(12)
        ]
    },
}


@pytest.mark.parametrize(
    ("name", "macro", "params"),
    [
        ("header", "header", HEADER),
        ("footer", "footer", {"meta": {"items": [{"href": "/", "text": "Home"}]}}),
        ("tag", "tag", {"text": "Concern", "classes": "nhsuk-tag--orange"}),
        ("summary-list", "summaryList", {"rows": [{"key": {"text": "Aim"}, "value": {"text": "Fewer falls"}}]}),
        ("do-dont-list", "list", {"title": "Do", "type": "tick", "items": [{"item": "measure"}]}),
    ],
)  # fmt: skip
def test_the_same_html_as_the_macro(name, macro, params):
    components = Components(env())
    first = components(name, params)
    again = components(name, params)
    assert str(first) == str(again) == direct(name, macro, params)
    assert isinstance(first, Markup)
    assert components.render.cache_info().hits == 1


def test_a_hole_takes_a_value_that_changes_each_time():
    components = Components(env())
    params = {
        **HEADER,
        "account": {"items": [{"html": Components.marker("form")}]},
    }
    forms = [Markup(f'<form><input name="t" value="{token}"></form>') for token in "ab"]
    pages = [components("header", params, form=form) for form in forms]
    for form, page in zip(forms, pages, strict=True):
        whole = {**HEADER, "account": {"items": [{"html": form}]}}
        assert str(page) == direct("header", "header", whole)
    assert components.render.cache_info().misses == 1


def test_text_in_a_parameter_is_still_escaped():
    components = Components(env())
    html = components("tag", {"text": "<script>alert(1)</script>"})
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_only_component_names():
    with pytest.raises(ValueError, match="not an NHS.UK component"):
        Components(env())("../../secrets", {})
