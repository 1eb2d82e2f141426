from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import HourMinuteField
from tenants.api import IsCityAdmin

from .io import ImportFailed, catalogue_import
from .models import Sector
from .selectors import procedure_detail, procedure_search


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["code", "name"]


class ComponentSerializer(serializers.Serializer):
    name = serializers.CharField()
    form = serializers.CharField()
    quantity = serializers.IntegerField()
    required = serializers.BooleanField()


class FeeSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.IntegerField(help_text="VND")
    collector = serializers.CharField()


class StepSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2)


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    levels = serializers.ListField(child=serializers.CharField())
    channels = serializers.ListField(child=serializers.CharField())
    online_mode = serializers.CharField()
    time_limit = serializers.DecimalField(max_digits=7, decimal_places=2)
    time_unit = serializers.CharField()
    cutoff = HourMinuteField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)


class VersionDetailSerializer(VersionSummarySerializer):
    legal_basis = serializers.CharField()
    source = serializers.CharField()
    components = ComponentSerializer(many=True, source="components.all")
    fees = FeeSerializer(many=True, source="fees.all")
    steps = StepSerializer(many=True, source="steps.all")


class ProcedureSerializer(serializers.Serializer):
    national_code = serializers.CharField()
    name = serializers.CharField()
    sector = SectorSerializer()
    current = VersionSummarySerializer()


class ProcedureDetailSerializer(ProcedureSerializer):
    current = VersionDetailSerializer()


class ProcedureListApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="words of the name or code, with or without diacritics"),
            OpenApiParameter("sector", str),
            OpenApiParameter("level", str),
            OpenApiParameter("online_mode", str),
        ],
        responses=ProcedureSerializer(many=True),
    )
    def get(self, request):
        p = request.query_params
        results = procedure_search(
            query=p.get("q", "")[:200],
            sector=p.get("sector") or None,
            level=p.get("level") or None,
            online_mode=p.get("online_mode") or None,
        )
        return Response(ProcedureSerializer(results, many=True).data)


class ProcedureDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ProcedureDetailSerializer)
    def get(self, request, code):
        procedure = procedure_detail(national_code=code)
        if procedure is None:
            return Response({"detail": "Không tìm thấy thủ tục.", "code": "not_found"}, status=404)
        return Response(ProcedureDetailSerializer(procedure).data)


class SectorListApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=SectorSerializer(many=True))
    def get(self, request):
        return Response(SectorSerializer(Sector.objects.order_by("name"), many=True).data)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class ImportResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.CharField())
    updated = serializers.ListField(child=serializers.CharField())
    unchanged = serializers.ListField(child=serializers.CharField())


class CatalogueImportApi(APIView):
    permission_classes = [IsCityAdmin]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer}, responses={200: ImportResultSerializer}
    )
    def post(self, request):
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            report = catalogue_import(
                data=upload.read(),
                filename=upload.name,
                acting_user=request.user,
                dry_run=data.validated_data["dry_run"],
            )
        except ImportFailed as exc:
            return Response(
                {
                    "detail": "Tệp có lỗi, chưa nhập gì.",
                    "code": "import_failed",
                    "errors": [{"row": r, "message": m} for r, m in exc.errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(ImportResultSerializer(report).data)
