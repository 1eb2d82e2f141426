from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import dossier_lookup, my_dossiers
from .throttle import throttle_exceeded


class TimelineSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    label = serializers.CharField()
    agency = serializers.CharField()
    status = serializers.CharField()


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField()
    agency = serializers.CharField()
    national_status = serializers.IntegerField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    verified = serializers.BooleanField()
    applicant_name = serializers.CharField(allow_null=True, help_text="only when verified")
    timeline = TimelineSerializer(many=True)


class LookupApi(APIView):
    """City-wide look-up by dossier code, from the public index. Personal data only with proof."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(parameters=[OpenApiParameter("proof", str, description="last 4 digits of phone or ID")],
                   responses={200: LookupSerializer})
    def get(self, request, code):
        if throttle_exceeded(scope="lookup", request=request._request, limit=settings.LOOKUP_RATE_PER_MINUTE):
            return Response({"detail": "Bạn tra cứu quá nhiều lần; vui lòng thử lại sau một phút.",
                             "code": "throttled"}, status=429)
        result = dossier_lookup(code=code, proof=request.query_params.get("proof", ""))
        if result is None:
            return Response({"detail": "Không tìm thấy hồ sơ có mã này.", "code": "not_found"}, status=404)
        e = result.entry
        return Response(LookupSerializer({
            "code": e.code, "procedure": e.procedure_name, "agency": e.agency.name,
            "national_status": e.national_status, "status": result.status_label, "received_at": e.received_at,
            "due_at": e.due_at, "finished_at": e.finished_at, "returned_at": e.returned_at,
            "verified": result.verified, "applicant_name": e.applicant_name if result.verified else None,
            "timeline": result.events,
        }).data)


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
