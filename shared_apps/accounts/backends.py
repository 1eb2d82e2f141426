from django.contrib.auth.backends import ModelBackend

from .cache import cached, user_key


class CachedModelBackend(ModelBackend):
    """Django's model backend; the per-request user lookup goes through the cache."""

    def get_user(self, user_id):
        return cached(user_key(user_id), lambda: super(CachedModelBackend, self).get_user(user_id))
