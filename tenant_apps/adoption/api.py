from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.workspace.api import IsAgencyMember

from .models import ProcedureAdoption
from .selectors import adoption_effective_time_limit, adoption_list, adoption_version_in_force
from .services import adoption_update


class AdoptionSerializer(serializers.Serializer):
    national_code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    time_limit = serializers.DecimalField(max_digits=7, decimal_places=2)
    time_unit = serializers.CharField()
    online_intake_open = serializers.BooleanField()
    pinned = serializers.BooleanField()


class AdoptionUpdateSerializer(serializers.Serializer):
    time_limit_override = serializers.CharField(required=False, allow_blank=True)
    online_intake_open = serializers.BooleanField(required=False)
    pin_current = serializers.BooleanField(required=False)


def _row(adoption):
    version = adoption_version_in_force(adoption=adoption)
    if version is None:
        return None
    limit, unit = adoption_effective_time_limit(adoption=adoption, version=version)
    return {
        "national_code": adoption.procedure.national_code,
        "name": adoption.procedure.name,
        "version": version.number,
        "time_limit": limit,
        "time_unit": unit,
        "online_intake_open": adoption.online_intake_open,
        "pinned": bool(adoption.pinned_version_id),
    }


class AdoptionListApi(APIView):
    permission_classes = [IsAgencyMember]

    @extend_schema(responses=AdoptionSerializer(many=True))
    def get(self, request):
        rows = [r for r in (_row(a) for a in adoption_list()) if r is not None]
        return Response(AdoptionSerializer(rows, many=True).data)


class AdoptionDetailApi(APIView):
    permission_classes = [IsAgencyMember]

    @extend_schema(request=AdoptionUpdateSerializer, responses=AdoptionSerializer)
    def patch(self, request, code):
        adoption = (
            ProcedureAdoption.objects.select_related("procedure")
            .filter(procedure__national_code=code)
            .first()
        )
        if adoption is None:
            return Response({"detail": "Cơ quan chưa áp dụng thủ tục này.", "code": "not_found"}, status=404)
        data = AdoptionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        adoption = adoption_update(
            agency=request._request.agency, adoption=adoption, acting_user=request.user, **data.validated_data
        )
        return Response(AdoptionSerializer(_row(adoption)).data)
