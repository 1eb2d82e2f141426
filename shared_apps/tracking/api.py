from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import dossier_lookup, my_dossiers
from .throttle import budgets_exceeded, client_address


class TimelineSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    label = serializers.CharField()
    agency = serializers.CharField(allow_null=True, help_text="only when verified")
    status = serializers.CharField()


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField(allow_null=True, help_text="only when verified")
    agency = serializers.CharField(allow_null=True, help_text="only when verified")
    national_status = serializers.IntegerField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    verified = serializers.BooleanField()
    applicant_name = serializers.CharField(allow_null=True, help_text="only when verified")
    timeline = TimelineSerializer(many=True)


THROTTLED = {"detail": "Bạn tra cứu quá nhiều lần; vui lòng thử lại sau một phút.", "code": "throttled"}
NOT_FOUND = {"detail": "Không tìm thấy hồ sơ có mã này.", "code": "not_found"}


def _iso(value, tz=None):
    """A datetime as DRF's DateTimeField writes it (current time zone, ISO 8601, UTC as Z); `tz` the
    current time zone when the caller has it already (looking it up costs more than the rest)."""
    if not value:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def lookup_payload(result):
    """The JSON body of a found dossier: the fields of LookupSerializer, built by hand (the serializer
    cost more than the rest of the look-up; tests pin both to the same output)."""
    e, tz = result.entry, timezone.get_current_timezone()
    return {
        "code": e.code,
        "procedure": result.procedure_name,
        "agency": result.agency_name,
        "national_status": e.national_status,
        "status": result.status_label,
        "received_at": _iso(e.received_at, tz),
        "due_at": _iso(e.due_at, tz),
        "finished_at": _iso(e.finished_at, tz),
        "returned_at": _iso(e.returned_at, tz),
        "verified": result.verified,
        "applicant_name": e.applicant_name if result.verified else None,
        "timeline": [
            {
                "at": _iso(ev["at"], tz),
                "label": ev["label"],
                "agency": ev["agency"] if result.verified else None,
                "status": ev["status"],
            }
            for ev in result.events
        ],
    }


def lookup_throttled(*, request, code, proof):
    """Count a look-up against its budgets, in one Redis round trip: per client address
    (LOOKUP_RATE_PER_MINUTE), per code whatever the address (LOOKUP_CODE_RATE_PER_HOUR), per code
    for look-ups carrying a proof (LOOKUP_PROOF_TRIES_PER_HOUR) and for the whole city
    (LOOKUP_GLOBAL_RATE_PER_MINUTE). True when one is spent."""
    code = (code or "").strip().upper().replace(" ", "")[:40]
    buckets = [
        f"lookup:{client_address(request)}",
        (settings.LOOKUP_RATE_PER_MINUTE, 60),
        f"lookup-code:{code}",
        (settings.LOOKUP_CODE_RATE_PER_HOUR, 3600),
    ]
    if proof:
        buckets += [f"lookup-proof:{code}", (settings.LOOKUP_PROOF_TRIES_PER_HOUR, 3600)]
    buckets += ["lookup-city", (settings.LOOKUP_GLOBAL_RATE_PER_MINUTE, 60)]
    return budgets_exceeded(*buckets, scope="lookup") > 0


def lookup_answer(*, request, code, proof):
    """(HTTP status, JSON body) of the look-up API, for the view and for the fast path
    (shared_apps.tracking.fastpath): `request` is a Django request or a WSGI environ."""
    if lookup_throttled(request=request, code=code, proof=proof):
        return 429, THROTTLED
    result = dossier_lookup(code=code, proof=proof)
    if result is None:
        return 404, NOT_FOUND
    return 200, lookup_payload(result)


class LookupApi(APIView):
    """City-wide look-up by dossier code, from the public index. Personal data only with proof."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("proof", str, description="the applicant's full phone number or ID number")
        ],
        responses={200: LookupSerializer},
    )
    def get(self, request, code):
        status, payload = lookup_answer(
            request=request._request, code=code, proof=request.query_params.get("proof", "")
        )
        return Response(payload, status=status)


class MyDossierSerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    reference = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency.name")
    procedure = serializers.CharField(source="procedure_name")
    national_status = serializers.IntegerField()
    status = serializers.CharField(source="status_label")
    next_step = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)

    def get_reference(self, obj) -> str:
        return obj.code or f"TN-{obj.dossier_id:06d}"


class MyDossiersApi(APIView):
    """The logged-in citizen's dossiers in every agency of the city."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MyDossierSerializer(many=True))
    def get(self, request):
        return Response(MyDossierSerializer(my_dossiers(user=request.user), many=True).data)
