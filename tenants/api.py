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
        fields = ["id", "name", "short_name", "slug", "kind", "national_code", "admin_unit_code",
                  "parent", "successor", "status", "valid_from", "valid_to", "workspace_url"]

    def get_workspace_url(self, obj) -> str:
        return f"/{obj.slug}/"


class OnboardSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(choices=AgencyKind.choices)
    national_code = serializers.CharField(max_length=32)
    slug = serializers.SlugField(max_length=80, required=False)
    short_name = serializers.CharField(max_length=120, required=False, default="")
    admin_unit_code = serializers.CharField(max_length=10, required=False, default="")
    parent = serializers.SlugRelatedField(slug_field="slug", queryset=Agency.objects.all(),
                                          required=False, allow_null=True)
    admin_username = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all(),
                                                  required=False, allow_null=True)


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
