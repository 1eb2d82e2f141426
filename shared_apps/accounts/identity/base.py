"""The registry of identity providers.

A provider is an object with ``name``, ``label`` and two steps:

* ``begin(request, *, redirect_uri, next_url) -> str``: the URL to send the browser to (state kept
  in the session);
* ``complete(request, *, redirect_uri) -> (Identity, next_url)``: called on the callback; checks
  everything and returns who the person is, or raises :class:`IdentityError`.

Providers come from ``settings.IDENTITY_PROVIDERS`` (a list of dicts: ``name``, ``class`` as a dotted
path, ``label`` and the class's own options) or from :func:`register` (code, tests). With no
provider configured, the platform's VNeID stand-in (``local.LocalVNeIDProvider``) is used when
``DEBUG`` or ``LOCAL_VNEID`` is on — never in production."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string


class IdentityError(Exception):
    """The provider's answer cannot be trusted or used; the message is for the citizen."""


@dataclass(frozen=True)
class Identity:
    provider: str
    subject: str
    full_name: str = ""
    id_number: str = ""
    date_of_birth: str = ""  # ISO yyyy-mm-dd as the provider gives it
    phone: str = ""
    email: str = ""
    address: str = ""
    claims: dict = field(default_factory=dict, compare=False, repr=False)


class IdentityProvider:
    name = ""
    label = ""

    def __init__(self, *, name=None, label=None, **options):
        self.name = name or self.name
        self.label = label or self.label or self.name
        self.options = options

    def begin(self, request, *, redirect_uri, next_url=""):  # pragma: no cover - interface
        raise NotImplementedError

    def complete(self, request, *, redirect_uri):  # pragma: no cover - interface
        raise NotImplementedError


_lock = threading.Lock()
_registered: dict[str, IdentityProvider] = {}


def register(provider):
    """Add (or replace) a provider by its name; returns the one it replaces."""
    with _lock:
        previous = _registered.get(provider.name)
        _registered[provider.name] = provider
        return previous


def unregister(name):
    with _lock:
        return _registered.pop(name, None)


def _configured():
    entries = list(settings.IDENTITY_PROVIDERS or [])
    if not entries and (settings.LOCAL_VNEID or settings.DEBUG):
        entries = [
            {
                "name": "vneid",
                "class": "shared_apps.accounts.identity.local.LocalVNeIDProvider",
                "label": "VNeID",
            }
        ]
    providers = []
    for entry in entries:
        options = dict(entry)
        cls = import_string(options.pop("class"))
        providers.append(cls(**options))
    return providers


def providers_enabled():
    """The providers the login page offers, configured ones first."""
    by_name = {p.name: p for p in _configured()}
    with _lock:
        by_name.update(_registered)
    return list(by_name.values())


def provider_get(name):
    for provider in providers_enabled():
        if provider.name == name:
            return provider
    return None
