"""Printable documents of a dossier: the forms of Circular 03/2025/TT-VPCP as PDF (01–06) and the
logbook (07) as xlsx. Fonts (Noto Sans, OFL) ship in `fonts/` so that Vietnamese renders anywhere."""

from .forms import (  # noqa: F401
    FORMS,
    FormSpec,
    apology_pdf,
    control_slip_pdf,
    form_available,
    forms_available,
    lookup_url,
    receipt_pdf,
    refusal_pdf,
    stop_notice_pdf,
    supplement_request_pdf,
)
from .logbook import logbook_rows, logbook_xlsx  # noqa: F401
