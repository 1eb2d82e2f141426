"""The citizen's side at the city address: submit a dossier online to an agency (idempotent)."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from tenants.directory import directory

from .api import ApplicantSerializer, ComponentFlagsSerializer, _flags
from .services import dossier_submit_online


class SubmissionSerializer(serializers.Serializer):
    agency = serializers.SlugField(help_text="the receiving agency's slug")
    procedure = serializers.CharField(help_text="national code, e.g. 1.001193")
    applicant = ApplicantSerializer()
    components = ComponentFlagsSerializer(many=True, required=False, default=list)
    request_summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    idempotency_key = serializers.CharField(
        max_length=64, help_text="the same key for retries of one submission"
    )


class SubmissionResultSerializer(serializers.Serializer):
    agency = serializers.CharField()
    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.CharField()
    national_status = serializers.IntegerField()
    created = serializers.BooleanField()


class SubmissionApi(APIView):
    """Submit online; a retry with the same idempotency key returns the same dossier (200)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=SubmissionSerializer,
        responses={201: SubmissionResultSerializer, 200: SubmissionResultSerializer},
    )
    def post(self, request):
        data = SubmissionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        agency = directory.by_slug(v["agency"])
        if agency is None or not agency.is_open:
            raise DomainError("Không có cơ quan này hoặc cơ quan đang tạm ngừng.", field="agency")
        dossier, created = dossier_submit_online(
            agency=agency,
            procedure=v["procedure"],
            applicant=v["applicant"],
            components=_flags(v["components"]),
            acting_user=request.user,
            idempotency_key=v["idempotency_key"],
            request_summary=v["request_summary"],
        )
        body = {
            "agency": agency.slug,
            "id": dossier.pk,
            "reference": dossier.reference,
            "state": dossier.state,
            "national_status": dossier.national_status,
            "created": created,
        }
        return Response(
            SubmissionResultSerializer(body).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
