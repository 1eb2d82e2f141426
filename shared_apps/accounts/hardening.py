"""Login throttling with django-axes, fitted to the city's login.

Failures are counted per (what was typed as the login, client address): the login is normalised the
way the authentication backend reads it (a phone in any notation, an e-mail in any case), so changing
the notation does not buy another round of guesses. The client address is the one the rest of the
platform trusts (TRUSTED_PROXY_HOPS)."""

from shared_apps.tracking.throttle import client_address

from .contacts import email_normalise, phone_normalise


def login_normalise(value):
    value = str(value or "").strip()
    if "@" in value:
        return email_normalise(value) or value.lower()
    return phone_normalise(value) or value


def axes_username(request, credentials):
    """What was typed in the login form (normalised) — also when axes asks after a successful login,
    where its credentials hold the account's username instead: so a success resets the very counter
    the failures raised."""
    value = None
    if request is not None and request.method == "POST":
        value = request.POST.get("username")
    if value is None:
        value = (credentials or {}).get("username")
    return login_normalise(value)


def axes_client_ip(request):
    return client_address(request)
