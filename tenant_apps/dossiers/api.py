"""REST API of the desk: the queue, intake, one endpoint per action of the transition table, and a
dossier's detail with its timeline and control slip. Thin: validate, call a service, answer."""

from __future__ import annotations

from django.db import connection
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.accounts.models import User
from tenant_apps.workspace.api import IsAgencyMember

from . import services
from .lifecycle import Action, allowed_actions
from .models import Channel
from .selectors import (
    control_slip,
    dossier_ensure_not_moved,
    dossier_get,
    dossier_queue,
    dossier_transfer_out,
)


class UserField(serializers.CharField):
    """A colleague by username: an active member of the agency the request is in. Any other account —
    unknown, a citizen, someone of another agency — gets the same answer (nothing tells them apart)."""

    def to_internal_value(self, data):
        username = super().to_internal_value(data)[:150]
        agency_id = getattr(connection.tenant, "pk", None)
        user = User.objects.filter(
            username=username,
            is_active=True,
            memberships__agency_id=agency_id,
            memberships__is_active=True,
        ).first()
        if user is None:
            raise serializers.ValidationError(_("Không có cán bộ “%(u)s” trong cơ quan.") % {"u": username})
        return user

    def to_representation(self, value):
        return value.username


class DossierReceiptSerializer(serializers.Serializer):
    """What intake answers: the code and the appointment (the detail is one GET away)."""

    id = serializers.IntegerField()
    code = serializers.CharField(allow_null=True)
    reference = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    national_status = serializers.IntegerField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    counted_from = serializers.DateTimeField(allow_null=True)


class DossierListSerializer(DossierReceiptSerializer):
    procedure_code = serializers.CharField(source="procedure.national_code")
    procedure_name = serializers.CharField(source="procedure.name")
    applicant_name = serializers.CharField()
    channel = serializers.CharField()
    holder = serializers.CharField(source="holder.username", allow_null=True, default=None)
    current_step = serializers.CharField()


class DossierComponentSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    form = serializers.CharField()
    quantity = serializers.IntegerField()
    required = serializers.BooleanField()
    provided = serializers.BooleanField()
    digitised = serializers.BooleanField()
    reused = serializers.BooleanField()


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor_name = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class SlipRowSerializer(serializers.Serializer):
    step = serializers.CharField()
    step_label = serializers.CharField()
    agency = serializers.CharField()
    giver = serializers.CharField()
    receiver = serializers.CharField()
    at = serializers.DateTimeField()
    due = serializers.DateTimeField(allow_null=True)
    timeliness = serializers.CharField()


class DossierDetailSerializer(DossierListSerializer):
    applicant_id_number = serializers.CharField()
    applicant_phone = serializers.CharField()
    applicant_email = serializers.CharField()
    applicant_address = serializers.CharField()
    request_summary = serializers.CharField()
    original_due_at = serializers.DateTimeField(allow_null=True)
    time_limit = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    time_unit = serializers.CharField()
    supplement_count = serializers.IntegerField()
    apology_count = serializers.IntegerField()
    result_number = serializers.CharField()
    timeliness = serializers.CharField()
    late_agency_code = serializers.CharField()
    # inter-agency processing: where it came from / where it is now, and that agency's sub-deadline
    origin_agency = serializers.CharField(source="origin_agency.slug", allow_null=True, default=None)
    origin_dossier_id = serializers.IntegerField(allow_null=True)
    handed_to_agency = serializers.CharField(source="handed_to_agency.slug", allow_null=True, default=None)
    hop_step = serializers.CharField()
    hop_due_at = serializers.DateTimeField(allow_null=True)
    received_on_behalf = serializers.BooleanField()
    components = DossierComponentSerializer(many=True, source="components.all")
    events = EventSerializer(many=True, source="events.all")
    control_slip = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    def get_control_slip(self, obj) -> list[dict]:
        return SlipRowSerializer(control_slip(dossier=obj), many=True).data

    def get_allowed_actions(self, obj) -> list[str]:
        membership = self.context.get("membership")
        if self.context.get("read_only"):  # moved to another agency, or this agency was merged
            return []
        roles = membership.roles if membership else []
        return [str(a) for a in allowed_actions(state=obj.state, roles=roles)]


class ApplicantSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["person", "organisation"], default="person")
    name = serializers.CharField(max_length=255)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class ComponentFlagsSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    provided = serializers.BooleanField(default=False)
    digitised = serializers.BooleanField(default=False)
    reused = serializers.BooleanField(default=False)


class IntakeSerializer(serializers.Serializer):
    procedure = serializers.CharField(help_text="national code, e.g. 1.001193")
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.IN_PERSON)
    applicant = ApplicantSerializer()
    components = ComponentFlagsSerializer(many=True, required=False, default=list)
    request_summary = serializers.CharField(required=False, allow_blank=True, default="")
    sets = serializers.IntegerField(min_value=1, max_value=50, default=1)
    register_only = serializers.BooleanField(
        default=False, help_text="record it (status 1) without accepting: to ask for supplements or refuse"
    )
    deciding_agency = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="receipt on another agency's behalf (phi địa giới): the slug or national code of the agency "
        "that decides; the code comes from its series and the dossier lands in its queue",
    )


class DossierPageSerializer(serializers.Serializer):
    """One page of the queue (page number pagination: ?trang=N)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DossierListSerializer(many=True)


def _flags(items):
    return {i["position"]: {k: i[k] for k in ("provided", "digitised", "reused")} for i in items}


class Pagination(PageNumberPagination):
    page_size = 50
    page_query_param = "trang"
    page_size_query_param = "so_dong"
    max_page_size = 200


class DossierListApi(APIView):
    permission_classes = [IsAgencyMember]

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str),
            OpenApiParameter("procedure", str),
            OpenApiParameter("mine", bool),
            OpenApiParameter("due_soon", bool),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("q", str),
            OpenApiParameter("trang", int),
        ],
        responses=DossierPageSerializer,
        operation_id="dossier_list",
    )
    def get(self, request):
        p = request.query_params
        qs = dossier_queue(
            user=request.user if p.get("mine") in ("1", "true") else None,
            state=p.get("state"),
            procedure=p.get("procedure"),
            due_soon=p.get("due_soon") in ("1", "true"),
            overdue=p.get("overdue") in ("1", "true"),
            query=p.get("q", "")[:100],
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DossierListSerializer(page, many=True).data)

    @extend_schema(request=IntakeSerializer, responses={201: DossierReceiptSerializer})
    def post(self, request):
        data = IntakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        agency = request._request.agency
        kwargs = dict(
            agency=agency,
            procedure=v["procedure"],
            applicant=v["applicant"],
            channel=v["channel"],
            components=_flags(v["components"]),
            acting_user=request.user,
            request_summary=v["request_summary"],
            sets=v["sets"],
        )
        if v["deciding_agency"]:
            if v["register_only"]:
                raise serializers.ValidationError({"register_only": "Chỉ tiếp nhận thay hồ sơ đã đầy đủ."})
            dossier = services.dossier_receive_on_behalf(deciding_agency=v["deciding_agency"], **kwargs)
        elif v["register_only"]:
            dossier = services.dossier_register(**kwargs)
        else:
            dossier = services.dossier_receive(**kwargs)
        response = Response(DossierReceiptSerializer(dossier).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"{request._request.agency_prefix}api/v1/dossiers/{dossier.pk}/"
        return response


def _detail(request, pk):
    dossier = dossier_get(pk=pk)
    if dossier is None:
        raise Http404
    agency = request._request.agency
    read_only = (
        getattr(request._request, "agency_read_only", False)
        or dossier_transfer_out(agency=agency, dossier=dossier) is not None
    )
    return DossierDetailSerializer(
        dossier, context={"membership": request._request.membership, "read_only": read_only}
    ).data


class DossierDetailApi(APIView):
    permission_classes = [IsAgencyMember]

    @extend_schema(responses=DossierDetailSerializer)
    def get(self, request, pk):
        return Response(_detail(request, pk))


class ComponentFileSerializer(serializers.Serializer):
    file = serializers.FileField()


class ComponentFileApi(APIView):
    """Attach the scan of one component (PDF, PNG or JPEG, checked by content)."""

    permission_classes = [IsAgencyMember]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ComponentFileSerializer}, responses={200: DossierDetailSerializer}
    )
    def post(self, request, pk, position):
        from .models import Dossier

        dossier = Dossier.objects.filter(pk=pk).first()
        if dossier is None:
            raise Http404
        dossier_ensure_not_moved(agency=request._request.agency, dossier=dossier)
        data = ComponentFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.dossier_component_attach(
            agency=request._request.agency,
            dossier=dossier,
            position=position,
            upload=data.validated_data["file"],
            acting_user=request.user,
        )
        return Response(_detail(request, pk))


# --- one endpoint per action ----------------------------------------------------------------------
class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ItemSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class IntakeSupplementSerializer(serializers.Serializer):
    items = ItemSerializer(many=True, allow_empty=False)


class ResubmitSerializer(serializers.Serializer):
    components = ComponentFlagsSerializer(many=True, required=False, default=list)


class AssignSerializer(serializers.Serializer):
    specialist = UserField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AppraiseSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=5000)
    draft_result = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class SubmitSerializer(serializers.Serializer):
    leader = UserField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    returner = UserField(required=False, allow_null=True, default=None)


class ApologySerializer(serializers.Serializer):
    new_due_at = serializers.DateTimeField(input_formats=["%H:%M %d/%m/%Y", "iso-8601"])
    reason = serializers.CharField(max_length=2000)


class ResultSerializer(serializers.Serializer):
    result_number = serializers.CharField(max_length=100)
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["counter", "post", "online"])
    collected_by = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class HandOverSerializer(serializers.Serializer):
    # optional here so that an illegal transition answers 409 before the input is judged
    to_agency = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text="slug or national code of the receiving agency",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class HandBackSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    result_number = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="when this agency decided: the result goes back with it",
    )
    result_summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


ACTIONS = {
    Action.ACCEPT: (NoteSerializer, services.dossier_accept),
    Action.REQUEST_INTAKE_SUPPLEMENT: (
        IntakeSupplementSerializer,
        services.dossier_request_intake_supplement,
    ),
    Action.RESUBMIT: (ResubmitSerializer, services.dossier_resubmit),
    Action.REFUSE: (ReasonSerializer, services.dossier_refuse),
    Action.ASSIGN: (AssignSerializer, services.dossier_assign),
    Action.APPRAISE: (AppraiseSerializer, services.dossier_appraise),
    Action.SUBMIT_FOR_APPROVAL: (SubmitSerializer, services.dossier_submit_for_approval),
    Action.APPROVE: (ApproveSerializer, services.dossier_approve),
    Action.SEND_BACK: (ReasonSerializer, services.dossier_send_back),
    Action.REQUEST_SUPPLEMENT: (ReasonSerializer, services.dossier_request_supplement),
    Action.SUPPLEMENT_RECEIVED: (NoteSerializer, services.dossier_supplement_received),
    Action.REQUEST_FINANCIAL_OBLIGATION: (ReasonSerializer, services.dossier_request_financial_obligation),
    Action.OBLIGATION_FULFILLED: (NoteSerializer, services.dossier_obligation_fulfilled),
    Action.WITHDRAW: (ReasonSerializer, services.dossier_withdraw),
    Action.STOP: (ReasonSerializer, services.dossier_stop),
    Action.APOLOGIZE: (ApologySerializer, services.dossier_apologize),
    Action.RECORD_RESULT: (ResultSerializer, services.dossier_record_result),
    Action.RETURN_RESULT: (ReturnSerializer, services.dossier_return_result),
    Action.HAND_OVER: (HandOverSerializer, services.dossier_hand_over),
    Action.HAND_BACK: (HandBackSerializer, services.dossier_hand_back),
}


def _adapt(action, data):
    """Serializer fields -> service keyword arguments."""
    if action == Action.RESUBMIT:
        return {"components": _flags(data["components"])}
    return dict(data)


def action_view(action):
    serializer_class, service = ACTIONS[action]

    class DossierActionApi(APIView):
        permission_classes = [IsAgencyMember]

        @extend_schema(
            request=serializer_class,
            responses={200: DossierDetailSerializer},
            operation_id=f"dossier_{action.value}",
            summary=f"{action.value}",
        )
        def post(self, request, pk):
            from .models import Dossier

            dossier = Dossier.objects.filter(pk=pk).first()
            if dossier is None:
                raise Http404
            dossier_ensure_not_moved(agency=request._request.agency, dossier=dossier)
            # the role first: the input may name a colleague, and a refusal must not depend on it
            services.dossier_action_authorize(
                agency=request._request.agency, action=action, acting_user=request.user
            )
            data = serializer_class(data=request.data)
            data.is_valid(raise_exception=True)
            service(
                agency=request._request.agency,
                dossier=dossier,
                acting_user=request.user,
                **_adapt(action, data.validated_data),
            )
            return Response(_detail(request, pk))

    DossierActionApi.__name__ = f"Dossier{''.join(p.title() for p in action.value.split('_'))}Api"
    return DossierActionApi.as_view()
