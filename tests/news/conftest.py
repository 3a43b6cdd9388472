from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, DeviceFactory, TagFactory


@pytest.fixture
def newsroom(db):
    """32 published stories, each with 2 tags and 3 devices: enough to expose an N+1."""
    tags = [TagFactory(name=f"Topic {i}") for i in range(6)]
    devices = [DeviceFactory(name=f"Handset {i}") for i in range(12)]
    now = timezone.now()
    articles = [
        ArticleFactory(
            title=f"Published story {i}",
            published_at=now - timedelta(hours=i + 1),
            tags=[tags[i % 6], tags[(i + 1) % 6]],
            devices=[devices[i % 12], devices[(i + 1) % 12], devices[(i + 2) % 12]],
        )
        for i in range(32)
    ]
    return {"tags": tags, "devices": devices, "articles": articles}


@pytest.fixture
def hidden_stories(db):
    """A draft and a scheduled story, each sharing a tag and a device with the newsroom."""
    tag = TagFactory(name="Secret topic")
    device = DeviceFactory(name="Unreleased gadget")
    draft = ArticleFactory(
        title="Zebracorn draft story",
        summary="Zebracorn draft summary",
        status="draft",
        published_at=None,
        tags=[tag],
        devices=[device],
    )
    future = ArticleFactory(
        title="Zebracorn future story",
        summary="Zebracorn future summary",
        published_at=timezone.now() + timedelta(days=2),
        tags=[tag],
        devices=[device],
    )
    return {"draft": draft, "future": future, "tag": tag, "device": device}
