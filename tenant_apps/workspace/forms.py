from django import forms
from django.utils.translation import gettext_lazy as _


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=200)
    body = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
