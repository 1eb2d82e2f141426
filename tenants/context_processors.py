def agency(request):
    return {
        "agency": getattr(request, "agency", None),
        "membership": getattr(request, "membership", None),
        # a merged agency's workspace: readable by its members, nothing to write (tenants.middleware)
        "read_only": getattr(request, "agency_read_only", False),
        "merged_into": getattr(request, "agency_successor", None),
    }
