from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.accounts.models import User

from .models import Agency, AgencyKind
from .selectors import agency_list_public
from .services import agency_onboard


class AgencySerializer(serializers.ModelSerializer):
    workspace_url = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "short_name",
            "slug",
            "kind",
            "national_code",
            "admin_unit_code",
            "parent",
            "successor",
            "status",
            "valid_from",
            "valid_to",
            "workspace_url",
        ]

    def get_workspace_url(self, obj) -> str:
        return f"/{obj.slug}/"


class OnboardSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(choices=AgencyKind.choices)
    national_code = serializers.CharField(max_length=32)
    slug = serializers.SlugField(max_length=80, required=False)
    short_name = serializers.CharField(max_length=120, required=False, default="")
    admin_unit_code = serializers.CharField(max_length=10, required=False, default="")
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    admin_username = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False, allow_null=True
    )


class IsCityAdmin(permissions.BasePermission):
    message = "Chỉ quản trị thành phố mới được thực hiện thao tác này."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.is_city_admin))


class AgencyListCreateApi(APIView):
    """The city's agencies (public), and onboarding of a new one (city admin)."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsCityAdmin()]
        return [permissions.AllowAny()]

    @extend_schema(responses=AgencySerializer(many=True))
    def get(self, request):
        agencies = agency_list_public(query=request.query_params.get("q", ""))
        return Response(AgencySerializer(agencies, many=True).data)

    @extend_schema(request=OnboardSerializer, responses={201: AgencySerializer})
    def post(self, request):
        data = OnboardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        admin_user = values.pop("admin_username", None)
        try:
            agency = agency_onboard(**values, admin_user=admin_user, acting_user=request.user)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(AgencySerializer(agency).data, status=status.HTTP_201_CREATED)


class NewAgencySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(choices=AgencyKind.choices)
    national_code = serializers.CharField(max_length=32)
    slug = serializers.SlugField(max_length=80, required=False)
    short_name = serializers.CharField(max_length=120, required=False, default="")
    admin_unit_code = serializers.CharField(max_length=10, required=False, default="")


class MergeRequestSerializer(serializers.Serializer):
    sources = serializers.ListField(
        child=serializers.SlugField(max_length=80),
        min_length=1,
        help_text="Đường dẫn các cơ quan bị sáp nhập.",
    )
    into = serializers.SlugField(
        max_length=80, required=False, allow_null=True, help_text="Cơ quan kế thừa có sẵn (hoặc new_agency)."
    )
    new_agency = NewAgencySerializer(
        required=False, allow_null=True, help_text="Cơ quan kế thừa mới, tiếp nhận trong cùng giao dịch."
    )
    dry_run = serializers.BooleanField(default=True, help_text="Mặc định chỉ báo cáo, không thay đổi gì.")


class MergeSourceReportSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    dossiers_by_state = serializers.DictField(child=serializers.IntegerField())
    carried_by_state = serializers.DictField(child=serializers.IntegerField())
    carried = serializers.IntegerField()
    staying = serializers.IntegerField()
    memberships_moved = serializers.IntegerField()
    memberships_merged = serializers.IntegerField()
    adoptions_added = serializers.IntegerField()
    adoption_conflicts = serializers.ListField(child=serializers.IntegerField())
    code_conflicts = serializers.ListField(child=serializers.CharField())
    unique_values_cleared = serializers.DictField(child=serializers.IntegerField())


class MergeReportSerializer(serializers.Serializer):
    target = serializers.CharField()
    target_is_new = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    carried = serializers.IntegerField()
    sources = MergeSourceReportSerializer(many=True)


class AgencyMergeApi(APIView):
    """Merge agencies into an existing or a new successor (city admin). A dry run by default."""

    permission_classes = [IsCityAdmin]

    @extend_schema(
        request=MergeRequestSerializer, responses={200: MergeReportSerializer, 201: MergeReportSerializer}
    )
    def post(self, request):
        from core.errors import DomainError

        from .merge import agencies_merge

        data = MergeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            report = agencies_merge(
                sources=values["sources"],
                target=values.get("into"),
                new_agency=values.get("new_agency"),
                dry_run=values["dry_run"],
                acting_user=request.user,
            )
        except DomainError as exc:
            body = {"detail": exc.message, "code": exc.code}
            if exc.field:
                body["field"] = exc.field
            return Response(body, status=exc.status)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(
            MergeReportSerializer(report.as_dict()).data,
            status=status.HTTP_200_OK if report.dry_run else status.HTTP_201_CREATED,
        )
