"""Pluggable identity providers (log in with VNeID, ...). See ``base`` for the registry,
``oidc`` for the OpenID Connect client and ``local`` for the platform's own VNeID stand-in."""

from .base import Identity, IdentityError, IdentityProvider, provider_get, providers_enabled, register

__all__ = ["Identity", "IdentityError", "IdentityProvider", "provider_get", "providers_enabled", "register"]
