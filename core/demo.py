"""The demo content ``load_demo`` loads: each app registers its part in ``AppConfig.ready()``
(the catalog before the stories that mention its devices, as INSTALLED_APPS orders them)."""

LOADERS = []


def register_demo(name, loader):
    """``loader()`` loads (idempotently) the demo content called ``name`` and returns a
    summary of what it did."""
    LOADERS.append((name, loader))
