"""A server compiles every template and builds its URLs at start-up (openqi/web/warm.py),
so the first view of a page after a restart costs what every later one does."""

from django.template import engines

from openqi.web import gunicorn_config
from openqi.web.warm import TEMPLATE_SUFFIXES, warm_up


def test_every_template_is_compiled_and_stays_compiled():
    env = engines["jinja2"].env
    env.cache.clear()
    count = warm_up()
    names = env.list_templates(
        filter_func=lambda name: name.endswith(TEMPLATE_SUFFIXES)
    )
    assert count == len(names) > 150
    assert "core/base.html" in names
    assert "nhsuk/components/header/macro.jinja" in names
    cached = {key[1] for key in env.cache.keys()}
    assert set(names) <= cached, "the template cache is too small to keep them all"
    before = len(env.cache)
    env.get_template("core/base.html")
    assert len(env.cache) == before


def test_gunicorn_loads_the_application_before_it_forks():
    assert gunicorn_config.preload_app is True
