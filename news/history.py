"""How a story's History page reads its revisions (see core.history)."""

from core.history import History

from .models import StoryImage


class StoryHistory(History):
    """A story's revisions hold its images for the body; its tags and devices are among its
    own fields, told as names added and removed, and its body as an excerpt of the lines
    that changed."""

    parts = ((StoryImage, "article"),)
