"""Login throttling with django-axes, fitted to the city's login.

Failures are counted per login — what was typed as the login, normalised the way the authentication
backend reads it (a phone in any notation, an e-mail in any case), so changing the notation does not
buy another round of guesses — whatever the client address: guesses spread over many addresses lock
the login as surely as guesses from one (a lock per (login, address) let the same password work at
once from another address). The owner is told through the notifications outbox (`lockout_notify`).
The client address (the one the rest of the platform trusts, TRUSTED_PROXY_HOPS) is still recorded."""

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


def lockout_notify(sender, request=None, username=None, ip_address=None, **kwargs):
    """django-axes' `user_locked_out`: tell the account's owner that their login is locked (someone
    may be guessing their password; the lock is per login, whatever the address, so it also shows
    when the guesses come from many addresses). One notice per cool-off window (the outbox's
    dedupe key), to the e-mail address, else the phone number of the account; nothing when the
    login names no account."""
    import time

    from django.conf import settings
    from django.utils.translation import gettext as _

    from shared_apps.notifications.services import outbox_enqueue

    from .backends import user_find_by_login

    user = user_find_by_login(username)
    if user is None:
        return
    if user.email:
        channel, recipient = "email", user.email
    elif user.phone:
        channel, recipient = "sms", user.phone
    else:
        return
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    window = int(time.time() // max(minutes * 60, 60))
    body = _(
        "Tài khoản Một cửa điện tử Hải Phòng của bạn vừa bị tạm khoá đăng nhập %(m)d phút vì nhập sai "
        "mật khẩu nhiều lần. Nếu không phải bạn, hãy đổi mật khẩu sau khi hết thời gian khoá."
    ) % {"m": minutes}
    outbox_enqueue(
        channel=channel,
        recipient=recipient,
        subject=_("Tài khoản tạm khoá đăng nhập"),
        body=body,
        dedupe_key=f"login-lockout:{user.pk}:{window}",
    )
