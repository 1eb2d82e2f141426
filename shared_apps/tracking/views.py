from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .api import lookup_throttled
from .selectors import dossier_lookup, my_dossiers


def lookup_form(request):
    code = request.GET.get("ma", "").strip()
    if code:
        url = f"/tra-cuu/{code}/"
        proof = request.GET.get("xac-minh", "").strip()
        return redirect(f"{url}?xac-minh={proof}" if proof else url)
    return render(request, "tracking/lookup_form.html")


def lookup_page(request, code):
    proof = request.GET.get("xac-minh", "")
    if lookup_throttled(request=request, code=code, proof=proof):
        return render(
            request,
            "tracking/lookup_form.html",
            {"error": _("Bạn tra cứu quá nhiều lần; vui lòng thử lại sau một phút."), "code": code},
            status=429,
        )
    result = dossier_lookup(code=code, proof=proof, user=request.user)
    if result is None:
        return render(
            request,
            "tracking/lookup_form.html",
            {
                "error": _("Không tìm thấy hồ sơ có mã “%(code)s”. Hãy kiểm tra lại mã trên giấy hẹn.")
                % {"code": code},
                "code": code,
            },
            status=404,
        )
    return render(request, "tracking/lookup.html", {"r": result, "code": code, "proof": proof})


def my_dossiers_page(request):
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "tracking/my_dossiers.html", {"rows": my_dossiers(user=request.user)})
