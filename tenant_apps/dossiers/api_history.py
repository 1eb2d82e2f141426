"""The dossier history's hash chain over the API: export one dossier's chain, verify the agency's."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.workspace.api import IsAgencyMember

from .chain import history_export, history_head, history_verify
from .models import Dossier

ALGORITHM = (
    "hash = sha256_hex(prev_hash + '\\n' + content); prev_hash of the first event is ''; "
    "content = the event's fields joined by U+001F (tenant_apps/dossiers/chain.py)"
)


class ChainEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    from_state = serializers.CharField(allow_blank=True)
    to_state = serializers.CharField()
    actor_name = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)
    content = serializers.CharField()
    prev_hash = serializers.CharField(allow_blank=True)
    hash = serializers.CharField()


class BrokenLinkSerializer(serializers.Serializer):
    dossier_id = serializers.IntegerField()
    code = serializers.CharField(allow_null=True)
    seq = serializers.IntegerField()
    reason = serializers.CharField()


class DossierHistorySerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    algorithm = serializers.CharField()
    intact = serializers.BooleanField()
    broken = BrokenLinkSerializer(allow_null=True)
    events = ChainEventSerializer(many=True)


class AgencyHistoryVerifySerializer(serializers.Serializer):
    events = serializers.IntegerField()
    head = serializers.CharField(help_text="sha256 over every event hash in order: keep it elsewhere")
    intact = serializers.BooleanField()
    broken = BrokenLinkSerializer(many=True)


class DossierHistoryApi(APIView):
    """A dossier's history with its hash chain, checkable elsewhere."""

    permission_classes = [IsAgencyMember]

    @extend_schema(responses=DossierHistorySerializer, operation_id="dossier_history")
    def get(self, request, pk):
        agency = request._request.agency
        dossier = Dossier.objects.filter(pk=pk).first()
        if dossier is None:
            raise Http404
        events = history_export(agency=agency, dossier=dossier, acting_user=request.user)
        _total, broken = history_verify(agency=agency, acting_user=None, dossier_ids=[dossier.pk])
        return Response(
            DossierHistorySerializer(
                {
                    "code": dossier.code,
                    "algorithm": ALGORITHM,
                    "intact": not broken,
                    "broken": broken[0].__dict__ if broken else None,
                    "events": events,
                }
            ).data
        )


class AgencyHistoryVerifyApi(APIView):
    """Verify every dossier's chain in the agency (leaders and agency administrators)."""

    permission_classes = [IsAgencyMember]

    @extend_schema(responses=AgencyHistoryVerifySerializer, operation_id="history_verify")
    def get(self, request):
        agency = request._request.agency
        total, broken = history_verify(agency=agency, acting_user=request.user)
        head, _count = history_head(agency=agency, acting_user=request.user)
        return Response(
            AgencyHistoryVerifySerializer(
                {"events": total, "head": head, "intact": not broken, "broken": [b.__dict__ for b in broken]}
            ).data
        )
