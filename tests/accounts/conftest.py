"""Helpers for the account tests: the one-time code travels the real way — outbox row in the same
transaction, dispatched (synchronously here) through the real SMS provider (its table) or the e-mail
backend (Django's test mailbox) — and the test reads it back from there."""

import re

import pytest
from django.core import mail

PASSWORD = "Bien-Xanh-2026"


def deliver():
    """Send every queued message now, as the Celery worker would."""
    from shared_apps.notifications.services import outbox_dispatch_batch

    return outbox_dispatch_batch()


def code_from(text):
    match = re.search(r"\b(\d{6})\b", text)
    assert match, text
    return match.group(1)


def sms_code(phone):
    from shared_apps.notifications.models import SmsMessage

    deliver()
    message = SmsMessage.objects.filter(phone=phone).order_by("-id").first()
    assert message is not None, f"no SMS to {phone}"
    return code_from(message.body)


def mail_code(address):
    deliver()
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"no e-mail to {address}"
    return code_from(sent[-1].body)


@pytest.fixture
def signup_phone(client, city):
    """Sign up on the page with a phone; returns (phone, the code that arrived by SMS)."""

    def _signup(phone="0912 345 678", name="Nguyễn Văn An", password=PASSWORD):
        response = client.post(
            "/tai-khoan/dang-ky/",
            {"full_name": name, "contact": phone, "password": password, "password2": password},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == "/tai-khoan/xac-thuc/"
        from shared_apps.accounts.contacts import phone_normalise

        return phone_normalise(phone), sms_code(phone_normalise(phone))

    return _signup
