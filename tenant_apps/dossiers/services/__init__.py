"""Writes to dossiers. Every function is keyword-only, takes the agency and `acting_user`, checks the
role, and changes the dossier through the transition table in one transaction with its event and
the public index row."""

from .components import dossier_component_attach  # noqa: F401
from .handover import dossier_hand_back, dossier_hand_over  # noqa: F401
from .intake import (  # noqa: F401
    dossier_accept,
    dossier_code_allocate,
    dossier_refuse,
    dossier_register,
    dossier_register_incomplete,
    dossier_request_intake_supplement,
    dossier_resubmit,
)
from .on_behalf import dossier_receive_on_behalf  # noqa: F401
from .online import (  # noqa: F401
    dossier_submit_online,
    dossier_submit_online_with_files,
    dossier_supplement_online,
)
from .permissions import dossier_action_authorize  # noqa: F401
from .processing import (  # noqa: F401
    dossier_apologize,
    dossier_appraise,
    dossier_approve,
    dossier_assign,
    dossier_obligation_fulfilled,
    dossier_record_result,
    dossier_request_financial_obligation,
    dossier_request_supplement,
    dossier_return_result,
    dossier_send_back,
    dossier_stop,
    dossier_submit_for_approval,
    dossier_supplement_received,
    dossier_withdraw,
)
from .receive import dossier_receive  # noqa: F401
