"""``{% view_url 'news:home' %}``: the link of a page without arguments, reversed once per
process (core.links), where ``{% url %}`` reverses it on every render. For the links every
page draws: the header, the footer, the compare widget."""

from django import template

from core import links

register = template.Library()


@register.simple_tag
def view_url(viewname):
    return links.view_url(viewname)
