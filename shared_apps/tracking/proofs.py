"""What proves to the city-wide look-up that the visitor is the applicant: the FULL phone number or
the FULL ID number given on the dossier (a logged-in owner needs neither).

The index never holds them in clear: it keeps a keyed digest of each (HMAC-SHA256 under the
project's SECRET_KEY), computed when the index row is written (tenant_apps.dossiers.services.core)
and when a visitor types a proof. Four digits used to be enough (about 5,000 guesses expected per
dossier); a full number leaves tens of millions of candidates, and the look-up caps the proof tries
per code (LOOKUP_PROOF_TRIES_PER_HOUR) whatever the address."""

from django.utils.crypto import constant_time_compare, salted_hmac

from shared_apps.accounts.contacts import phone_normalise

SALT = "shared_apps.tracking.lookup-proof"
MIN_DIGITS = 9  # an old 9-digit identity card is the shortest number accepted as a proof


def _digits(value):
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def _digest(digits):
    if len(digits) < MIN_DIGITS:
        return ""
    return salted_hmac(SALT, digits, algorithm="sha256").hexdigest()


def phone_digest(phone):
    """The index's digest of an applicant's phone number ("" when there is none)."""
    return _digest(phone_normalise(phone) or _digits(phone))


def id_digest(id_number):
    """The index's digest of an applicant's ID number ("" when there is none)."""
    return _digest(_digits(id_number))


def proof_matches(proof, *digests):
    """Whether what the visitor typed is the full phone number (in any notation) or ID number whose
    digest is among `digests`."""
    stored = [d for d in digests if d]
    if not stored or not proof:
        return False
    typed = {phone_digest(proof), id_digest(proof)} - {""}
    return any(constant_time_compare(t, d) for t in typed for d in stored)
