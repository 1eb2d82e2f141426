from django import forms
from django.utils.translation import gettext_lazy as _


class AdoptionForm(forms.Form):
    time_limit_override = forms.DecimalField(
        label=_("Thời hạn của cơ quan (để trống: theo thời hạn chung)"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
    )
    online_intake_open = forms.BooleanField(label=_("Nhận hồ sơ trực tuyến"), required=False)
    pin_current = forms.BooleanField(
        label=_("Giữ phiên bản hiện tại khi thành phố công bố phiên bản mới"), required=False
    )
