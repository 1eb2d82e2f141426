from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import notice_list
from .services import notice_create


class IsAgencyMember(permissions.BasePermission):
    """Defence in depth: the middleware already refused non-members."""

    message = "Bạn không phải thành viên của cơ quan này."

    def has_permission(self, request, view):
        return getattr(request._request, "membership", None) is not None


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    created_by = serializers.CharField(source="created_by.display_name", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class WorkspaceSerializer(serializers.Serializer):
    agency = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.CharField()
    national_code = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class WorkspaceApi(APIView):
    permission_classes = [permissions.IsAuthenticated, IsAgencyMember]

    @extend_schema(responses=WorkspaceSerializer)
    def get(self, request):
        agency = request._request.agency
        return Response(
            {
                "agency": agency.name,
                "slug": agency.slug,
                "kind": agency.kind,
                "national_code": agency.national_code,
                "roles": request._request.membership.roles,
            }
        )


class NoticeListCreateApi(APIView):
    permission_classes = [permissions.IsAuthenticated, IsAgencyMember]

    @extend_schema(responses=NoticeSerializer(many=True))
    def get(self, request):
        return Response(NoticeSerializer(notice_list(), many=True).data)

    @extend_schema(request=NoticeSerializer, responses={201: NoticeSerializer})
    def post(self, request):
        data = NoticeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = notice_create(
            agency=request._request.agency,
            acting_user=request.user,
            title=data.validated_data["title"],
            body=data.validated_data["body"],
        )
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)
