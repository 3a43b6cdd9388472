from django import template

register = template.Library()


@register.filter
def initials(name):
    """ "Nothing Phone (2)" → "NP": the text of an image placeholder."""
    words = [word for word in str(name).split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper()
