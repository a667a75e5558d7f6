"""Reference data pages: categories and industries, edited in place by administrators."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sputnik.core.views import ObjectListView

from . import services
from .models import Category, Industry


class ReferenceItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, initial=0)


class ReferenceListView(ObjectListView):
    """The list of one kind of reference data; administrators add, rename and retire."""

    template_name = "directory/reference_list.html"
    paginate_by = None
    title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context["title"] = self.title
        context["can_edit"] = self.request.user.has_perm(f"directory.change_{meta.model_name}")
        context["form"] = kwargs.get("form") or ReferenceItemForm()
        return context

    def post(self, request):
        meta = self.model._meta
        if not request.user.has_perm(f"directory.change_{meta.model_name}"):
            raise PermissionDenied(_("Only administrators edit reference data."))
        form, item = ReferenceItemForm(request.POST), self.model()
        if pk := request.POST.get("pk"):
            item = get_object_or_404(self.restricted_queryset(), pk=pk)
        if "toggle" in request.POST:
            services.reference_save(actor=request.user, item=item, is_active=not item.is_active)
            form = ReferenceItemForm()
        elif form.is_valid():
            try:
                services.reference_save(actor=request.user, item=item, **form.cleaned_data)
                form = ReferenceItemForm()
            except ValidationError as error:
                form.add_error("name", error.message_dict.get("name", error.messages))
        self.object_list = self.get_queryset()
        context = self.get_context_data(form=form)
        template = f"{self.template_name}#table" if request.htmx else self.template_name
        return render(request, template, context)


class CategoryListView(ReferenceListView):
    model = Category
    title = gettext_lazy("Organisation categories")


class IndustryListView(ReferenceListView):
    model = Industry
    title = gettext_lazy("Industries")
