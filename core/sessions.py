"""Sessions in the database with the cache in front (Django's ``cached_db``), for a cache
that may go away: a cache restart signs no one out, and while the cache is down sessions
are read from the database alone instead of failing the request."""

import logging

from django.contrib.sessions.backends import cached_db, db

from .middleware import DATABASE_UNREACHABLE

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            return super().load()
        except DATABASE_UNREACHABLE:
            raise
        except Exception:
            # Django's load survives a failed cache read, not the write-back that follows.
            logger.warning("Session cache unavailable: read from the database")
            return db.SessionStore.load(self)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except DATABASE_UNREACHABLE:
            raise
        except Exception:
            # Every session is in the database too: it alone can say a new key is free.
            return db.SessionStore.exists(self, session_key)
