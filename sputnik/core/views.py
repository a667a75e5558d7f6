"""Base views every page builds on. They always start from `restrict(user, action)`:
a subclass customises `restricted_queryset()`, never `get_queryset()`, so the
unrestricted path cannot be reached by accident."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _
from django.views import generic

from .exceptions import StaleEdit
from .models import model_permission
from .pagination import CappedPaginator
from .services import ensure_visible


class RestrictedMixin(LoginRequiredMixin):
    """Login required; the queryset is the model's rows restricted for `action`."""

    model = None
    action = "view"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__ and cls.__module__ != __name__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); override restricted_queryset()."
            )

    def restricted_queryset(self):
        return self.model._default_manager.restrict(self.request.user, self.action)

    def get_queryset(self):
        return self.restricted_queryset()

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            if self.action != "view" and self._visible(self.kwargs.get("pk")):
                raise PermissionDenied(_("You may only read this record.")) from None
            raise

    def _visible(self, pk) -> bool:
        manager = self.model._default_manager
        return manager.restrict(self.request.user, "view").filter(pk=pk).exists()


class ObjectListView(RestrictedMixin, generic.ListView):
    """A filterable, paginated table; htmx requests get only the `#table` partial."""

    filterset_class = None
    paginate_by = 50
    paginator_class = CappedPaginator

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        needs = getattr(self.model, "permission_required", True)
        if (
            user.is_authenticated
            and needs
            and not user.has_perm(model_permission(self.model, "view"))
        ):
            raise PermissionDenied(_("Your role does not give access to this list."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.unfiltered = self.restricted_queryset()
        if self.filterset_class is None or not self.filter_asked():
            return self.unfiltered
        return self.filterset.qs

    def filter_asked(self) -> bool:
        """Whether the query asks for a filter or a sort (a page number alone does not).
        Without one the list is the unfiltered one, so its filter set is built only if
        the page draws it (its filter panel is usually in the cache) — unless the filter
        set filters even then (`filters_without_query`, a default of its own)."""
        if getattr(self.filterset_class, "filters_without_query", False):
            return True
        return any(name != "page" for name in self.request.GET)

    def built_filterset(self):
        """The filter set if this request has built it, else None (without building it)."""
        return self.__dict__.get("filterset")

    @cached_property
    def filterset(self):
        if self.filterset_class is None:
            return None
        filterset = self.filterset_class(
            self.request.GET or None, queryset=self.unfiltered, request=self.request
        )
        # Criteria only the list builder offers: in the form only when asked for.
        for name in getattr(filterset, "builder_only", ()):
            if name not in self.request.GET:
                filterset.filters.pop(name, None)
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        has_filters = self.filterset_class is not None
        context["filterset"] = SimpleLazyObject(lambda: self.filterset) if has_filters else None
        return context

    def paginate_queryset(self, queryset, page_size):
        """As ListView's, but the page parameter may also say where the page starts
        (`41.<start>`, left by the "Next" and "Previous" links; see CappedPaginator). The
        page comes from the query string only (no URL names one), and a page that does
        not exist is a 404 with the paginator's own message."""
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        try:
            page = paginator.page(self.request.GET.get(self.page_kwarg) or 1)
        except InvalidPage as error:
            raise Http404(str(error)) from None
        return (paginator, page, page.object_list, page.has_other_pages())

    def get_template_names(self):
        names = super().get_template_names()
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{names[0]}#table"]
        return names


class ObjectDetailView(RestrictedMixin, generic.DetailView):
    pass


class WriteMixin(RestrictedMixin):
    """Runs the service in one transaction and re-checks visibility before committing."""

    success_message = ""

    def perform(self, form) -> object:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.perform(form)
                ensure_visible(self.object, self.request.user)
        except StaleEdit as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            _add_validation_error(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not do this."))
            return self.render_to_response(self.get_context_data(form=form), status=403)
        if self.success_message:
            messages.success(self.request, self.success_message % {"object": self.object})
        return redirect_response(self.request, self.get_success_url())


def _add_validation_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def redirect_response(request, url: str) -> HttpResponse:
    """A redirect that htmx follows as a full navigation."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class ObjectCreateView(WriteMixin, generic.CreateView):
    action = "add"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(
            f"{self.model._meta.app_label}.add_{self.model._meta.model_name}"
        ):
            raise PermissionDenied(_("You may not create records of this kind."))
        return super().dispatch(request, *args, **kwargs)


class VersionedForm(forms.ModelForm):
    """A model form that carries the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ObjectUpdateView(WriteMixin, generic.UpdateView):
    action = "change"


class ObjectDeleteView(RestrictedMixin, generic.DeleteView):
    action = "delete"
    success_message = ""

    def perform(self) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        with transaction.atomic():
            self.perform()
        if self.success_message:
            messages.success(self.request, self.success_message % {"object": self.object})
        return redirect_response(self.request, self.get_success_url())


class RunView(ObjectDetailView):
    """A background run the user started: its page polls itself (htmx) until the run is
    finished, then offers `download_url_name` for its `file`."""

    context_object_name = "run"
    download_url_name = ""
    result_template = ""  # shown under the progress, also when it is polled

    def get_template_names(self):
        if self.request.htmx:
            return ["core/run_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.file and self.download_url_name:
            context["download_url"] = reverse(self.download_url_name, args=[self.object.pk])
        context["result_template"] = self.result_template
        return context


class RunDownloadView(ObjectDetailView):
    """The file a background run produced, for the user who started it."""

    def filename(self, run) -> str:
        return run.file.name.rsplit("/", 1)[-1]

    def render_to_response(self, context, **kwargs):
        return run_file_response(self.object, self.filename(self.object))


def run_file_response(run, filename: str) -> FileResponse:
    """A finished run's file as a download (404 while there is none)."""
    if not run.file:
        raise Http404
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=filename)
