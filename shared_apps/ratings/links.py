"""Where a citizen rates a dossier: for the result slip's QR code, an SMS or the look-up page."""

from urllib.parse import quote

from django.conf import settings


def rating_url(code, *, qr=False):
    """The absolute address of the rating page of dossier `code`; `qr=True` for what a QR code
    encodes (the rating then records the QR channel)."""
    url = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/danh-gia/{quote(code or '', safe='')}/"
    return f"{url}?kenh=qr" if qr else url
