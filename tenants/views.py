from django.http import JsonResponse
from django.shortcuts import render

from .selectors import agency_groups_public


def portal_home(request):
    query = request.GET.get("q", "")[:100]
    groups = agency_groups_public(query=query)
    return render(
        request,
        "portal/home.html",
        {"groups": groups, "query": query, "total": sum(len(g["agencies"]) for g in groups)},
    )


def healthz(request):
    return JsonResponse({"status": "ok"})
