"""Private storage for citizens' draft files: a folder outside any served path, and no URL at all —
a file is read only through the permission-checked view of its draft's owner."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    @property
    def base_location(self):
        return os.fspath(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no URL; serve them through a permission-checked view")


private_storage = PrivateStorage()


def get_private_storage():
    return private_storage
