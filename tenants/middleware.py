"""Routing at one address: /<agency-slug>/... is that agency's workspace, everything else is the city.

Resolving the agency reads the in-process directory (no SQL); switching the schema is lazy (the
`SET search_path` is sent with the first query of the request, and only when it changed)."""

from django.conf import settings
from django.db import connection
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from .directory import directory
from .models import AgencyStatus

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _first_segment(path):
    end = path.find("/", 1)
    return path[1:end] if end > 0 else ""


class AgencyPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.reserved = frozenset(settings.RESERVED_SLUGS)
        self.bypass = settings.ROUTING_BYPASS_PREFIX

    def __call__(self, request):
        request.agency = None
        request.agency_prefix = ""

        if self.bypass and request.path_info.startswith(self.bypass):
            # Benchmarks only (ROUTING_BYPASS_PREFIX is unset in every real environment): the
            # workspace URLs without agency resolution or schema switching.
            request.urlconf = settings.ROUTING_BYPASS_URLCONF
            self.switch(request, None)
            return self.get_response(request)

        agency, urlconf, prefix = None, None, ""
        slug = _first_segment(request.path_info)
        if slug and slug not in self.reserved:
            agency = directory.by_slug(slug)
            if agency is not None:
                urlconf, prefix = directory.urlconf_for(slug), f"/{slug}/"
            else:
                renamed = directory.by_alias(slug)
                if renamed is not None:  # the agency's path before a rename
                    return self.moved(request, slug, renamed)
        if agency is None and settings.ALLOWED_HOSTS:
            host_agency = directory.by_domain(request.get_host().split(":")[0])
            if host_agency is not None:
                agency, urlconf, prefix = (
                    host_agency,
                    directory.root_urlconf_for_domain(host_agency.slug),
                    "/",
                )

        read_only, successor = False, None
        if agency is not None:
            if agency.status != AgencyStatus.ACTIVE:
                if not (agency.status == AgencyStatus.MERGED and request.method in SAFE_METHODS):
                    self.switch(request, None)
                    return self.closed(request, agency)
                # A merged agency stays readable by its members under its old name (finished
                # dossiers, reports); nobody writes to it.
                read_only = True
                successor = self.successor_of(agency)
            request.agency = agency
            request.agency_prefix = prefix
            request.urlconf = urlconf
        # templates hide every write (forms, action buttons) and show "merged into …" when read-only
        request.agency_read_only = read_only
        request.agency_successor = successor
        self.switch(request, agency)
        response = self.get_response(request)
        if read_only and getattr(request, "membership", None) is None:
            # not a member (or not logged in): the page that says where the agency went
            self.switch(request, None)
            return self.closed(request, agency)
        return response

    @staticmethod
    def successor_of(agency):
        """The agency `agency` was merged into, from the directory (no SQL); None when unknown."""
        if not agency.successor_id:
            return None
        return next((a for a in directory.all() if a.pk == agency.successor_id), None)

    @staticmethod
    def moved(request, old_slug, agency):
        rest = request.get_full_path()[len(old_slug) + 1 :]
        return HttpResponsePermanentRedirect(
            f"/{agency.slug}{rest}", preserve_request=request.method not in SAFE_METHODS
        )

    @staticmethod
    def switch(request, agency):
        """Point the connection at the agency's schema (or public). A persistent connection that
        is already there keeps its search_path: no `SET` round trip for it."""
        if agency is None:
            if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
                connection.set_schema_to_public()
        elif connection.schema_name != agency.schema_name or connection.tenant is not agency:
            connection.set_tenant(agency)
        request.tenant = connection.tenant

    def closed(self, request, agency):
        successor = directory.by_slug(agency.successor.slug) if agency.successor_id else None
        messages = {
            AgencyStatus.SUSPENDED: _("Không gian làm việc của cơ quan này đang tạm ngừng hoạt động."),
            AgencyStatus.MERGED: _("Cơ quan này đã được sáp nhập."),
            AgencyStatus.ARCHIVED: _("Cơ quan này đã ngừng hoạt động, dữ liệu được lưu trữ."),
        }
        status = 503 if agency.status == AgencyStatus.SUSPENDED else 410
        return render(
            request,
            "tenants/agency_closed.html",
            {"closed_agency": agency, "message": messages.get(agency.status), "successor": successor},
            status=status,
        )
