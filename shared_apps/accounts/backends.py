from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .cache import cached, user_key
from .contacts import email_normalise, phone_normalise
from .selectors import users_with_email, users_with_phone


def user_find_by_login(login):
    """The user a login names: a username (officials), else a phone number in any notation, else an
    e-mail address in any case. None when nobody matches."""
    User = get_user_model()
    login = str(login or "").strip()
    if not login:
        return None
    user = User.objects.filter(username=login).first()
    if user is not None:
        return user
    if "@" in login:
        email = email_normalise(login)
        return users_with_email(email).first() if email else None
    phone = phone_normalise(login)
    return users_with_phone(phone).first() if phone else None


class CachedModelBackend(ModelBackend):
    """Django's model backend, logging in by username, phone or e-mail; the per-request user lookup
    goes through the cache. Inactive accounts (a sign-up not yet verified) cannot log in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = user_find_by_login(username)
        if user is None:
            get_user_model()().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        return cached(user_key(user_id), lambda: super(CachedModelBackend, self).get_user(user_id))
