"""Demo stories for ``manage.py load_demo``; the newsroom fills this in."""


def load_stories():
    return 0
