"""Forms check shapes only; the rules live in citizens.py (a DomainError is put on its field)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DomainErrorsMixin:
    def add_domain_error(self, error):
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class SignupForm(DomainErrorsMixin, forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    contact = forms.CharField(
        label=_("Số điện thoại hoặc thư điện tử"),
        max_length=254,
        help_text=_("Mã xác thực sẽ được gửi đến số điện thoại hoặc địa chỉ này."),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không toàn chữ số, không quá phổ biến."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), widget=forms.PasswordInput(render_value=False), strip=False
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("password")
            and data.get("password2") is not None
            and data["password"] != data["password2"]
        ):
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        return data


class CodeForm(DomainErrorsMixin, forms.Form):
    code = forms.CharField(label=_("Mã xác thực (6 chữ số)"), max_length=12)


class ProfileForm(DomainErrorsMixin, forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD, 12 chữ số)"), max_length=12, required=False
    )
    date_of_birth = forms.CharField(label=_("Ngày sinh (dd/mm/yyyy)"), max_length=10, required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        help_text=_("Đổi số điện thoại cần nhập mã xác thực gửi đến số mới."),
    )
    email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        help_text=_("Đổi thư điện tử cần nhập mã xác thực gửi đến địa chỉ mới."),
    )
