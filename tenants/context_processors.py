def agency(request):
    return {"agency": getattr(request, "agency", None), "membership": getattr(request, "membership", None)}
