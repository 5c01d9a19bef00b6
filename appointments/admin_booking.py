"""Booking from the back office: from a callback, from a customer's page, or for a walk-in.

Staff choose branch, service (and staff member if wanted) and a day; the free times come from
`selectors.availability_search`, the code the phone agent's availability functions use, and the booking
goes through `services.appointment_book` (policy snapshot, Cal.com, confirmation), which settles the
callback it names. Branches offered are the user's (`org.access`): staff and managers book at their own
branches only, admins everywhere. Cal.com's refusals become a message on the form, never an error page.

Two plain forms, no script needed: the search is a GET (the slot list is a link you can reload), the
booking a POST carrying the search again plus the chosen time.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDateWidget,
    UnfoldAdminEmailInputWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from appointments import selectors, services
from appointments.models import Appointment
from common.booking_origin import origin_facts
from common.conf import company_setting
from integrations.calcom.errors import CalcomError, CalcomUnavailable
from org import access
from org.models import Branch, Customer, Service, Staff
from org.selectors import customer_for_phone
from org.services import customer_create

BOOK_TEMPLATE = "admin/appointments/book.html"
DAYS_SHOWN = 7

CALENDAR_DOWN = _(
    "Cal.com cannot be reached right now; nothing was booked. Please try again in a few minutes."
)
CALENDAR_REFUSED = _("Cal.com refused the request; nothing was booked: %(message)s")
DEFERRED = _("Cal.com could not be reached: callback request #%(id)s was created to finish this by hand.")
BOOKED = _("Appointment booked: %(service)s at %(branch)s on %(when)s.")
CHOOSE_TIME = _("Choose a time.")
WHO_IS_BOOKED = _("Give the customer's name and a phone number or email address.")
LINK_EXPIRED = _(
    "This booking link has expired or was made for someone else; open it again from the callback."
)


def bookable_branches(user) -> QuerySet[Branch]:
    """The active branches the user may book at: their own (staff, managers), all (admins)."""
    return Branch.objects.filter(access.branches_q(user), is_active=True).order_by("name", "pk")


def may_book(user) -> bool:
    return bool(user.has_perm("appointments.add_appointment")) and bookable_branches(user).exists()


class SlotSearchForm(forms.Form):
    """Where, what and with whom, and from which day on."""

    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), widget=UnfoldAdminSelectWidget
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), widget=UnfoldAdminSelectWidget
    )
    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=_("anyone"),
        widget=UnfoldAdminSelectWidget,
    )
    day = forms.DateField(label=_("Show from"), widget=UnfoldAdminDateWidget)

    def __init__(self, *args, branches: QuerySet[Branch], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["service"].queryset = (
            Service.objects.filter(is_active=True, branches__in=branches).distinct().order_by("name")
        )
        self.fields["staff"].queryset = (
            Staff.objects.filter(is_active=True, branches__in=branches).distinct().order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        branch, service, staff = data.get("branch"), data.get("service"), data.get("staff")
        if branch and service and not service.branches.filter(pk=branch.pk).exists():
            params = {"service": service, "branch": branch}
            self.add_error("service", services.SERVICE_NOT_AT_BRANCH % params)
        elif branch and service and staff and not _offers(staff, service, branch):
            params = {"staff": staff, "service": service, "branch": branch}
            self.add_error("staff", services.STAFF_CANNOT_DO_IT % params)
        return data

    def query(self, customer: Customer | None) -> selectors.SlotQuery:
        data = self.cleaned_data
        return selectors.SlotQuery(
            service=data["service"], branch=data["branch"], staff=data.get("staff"), customer=customer
        )


def _offers(staff: Staff, service: Service, branch: Branch) -> bool:
    return staff.branches.filter(pk=branch.pk).exists() and staff.services.filter(pk=service.pk).exists()


class BookForm(forms.Form):
    """The chosen time, a note, and who is booked when there is no customer record yet."""

    start = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), required=False, max_length=200, widget=UnfoldAdminTextInputWidget)
    phone = forms.CharField(
        label=_("Phone number"), required=False, max_length=32, widget=UnfoldAdminTextInputWidget
    )
    email = forms.EmailField(label=_("Email address"), required=False, widget=UnfoldAdminEmailInputWidget)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 2})
    )
    request_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, customer: Customer | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if customer is not None:
            for name in ("name", "phone", "email"):
                del self.fields[name]

    def clean_start(self) -> datetime:
        value = self.cleaned_data.get("start") or ""
        try:
            start = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(CHOOSE_TIME) from None
        if start.tzinfo is None:
            raise ValidationError(CHOOSE_TIME)
        return start

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "name" in self.fields and not (
            data.get("name", "").strip() and (data.get("phone") or data.get("email"))
        ):
            self.add_error(None, WHO_IS_BOOKED)
        return data


class Origin:
    """Where the booking was started: a callback (signed by its page), a customer, or a walk-in."""

    def __init__(self, request: HttpRequest) -> None:
        params = request.POST if request.method == "POST" else request.GET
        self.token = params.get("origin", "")
        self.facts: dict[str, Any] = {}
        if self.token:
            facts = origin_facts(self.token, user_id=request.user.pk)
            if facts is None:
                raise PermissionDenied(LINK_EXPIRED)
            self.facts = facts
        if self.token:  # a callback's customer (or none yet): only what its page signed
            self.customer = _visible_customer(request.user, self.facts.get("customer"), trusted=True)
        else:
            self.customer = _visible_customer(request.user, params.get("customer"), trusted=False)

    @property
    def who(self) -> str:
        """Whom the booking is for, as the page names them ("" for a walk-in)."""
        if self.customer is not None:
            return self.customer.name
        return self.facts.get("name") or self.facts.get("phone") or ""

    @property
    def callback_id(self) -> int | None:
        return self.facts.get("callback")

    def hidden(self) -> dict[str, Any]:
        """What the forms carry on, as hidden inputs."""
        if self.token:
            return {"origin": self.token}
        return {"customer": self.customer.pk} if self.customer is not None else {}

    def back_url(self, appointment: Appointment) -> str:
        if self.callback_id:
            return reverse("admin:callbacks_callbackrequest_change", args=[self.callback_id])
        return reverse("admin:appointments_appointment_change", args=[appointment.pk])


def _visible_customer(user, customer_id: Any, *, trusted: bool) -> Customer | None:
    """A customer named by the page: one the user may see (a callback's customer came signed)."""
    if not customer_id:
        return None
    if not str(customer_id).isdigit():
        raise Http404
    customers = Customer.objects.filter(anonymised_at__isnull=True)
    if not trusted:
        customers = access.scoped(customers, access.customer_q(user))
    customer = customers.filter(pk=int(customer_id)).first()
    if customer is None:
        raise Http404
    return customer


def book_view(model_admin, request: HttpRequest) -> HttpResponse:
    """GET: the search and its free times; POST: book the chosen time."""
    if not may_book(request.user):
        raise PermissionDenied
    origin = Origin(request)
    branches = bookable_branches(request.user)
    if request.method == "POST":
        search = SlotSearchForm(request.POST, branches=branches)
        book = BookForm(request.POST, customer=origin.customer)
        if search.is_valid() and book.is_valid():
            response = _book(request, origin, search, book)
            if response is not None:
                return response
    else:
        search = _search_form(request, origin, branches)
        book = BookForm(initial=_who(origin), customer=origin.customer)
    return _page(model_admin, request, origin, search, book)


def _search_form(request: HttpRequest, origin: Origin, branches: QuerySet[Branch]) -> SlotSearchForm:
    """Bound once the search was sent (it always carries a day); before that, the callback's wishes."""
    if "day" in request.GET:
        return SlotSearchForm(request.GET, branches=branches)
    wishes = {
        name: request.GET.get(name) or origin.facts.get(name) for name in ("branch", "service", "staff")
    }
    if not wishes["branch"] and branches.count() == 1:
        wishes["branch"] = branches.first().pk
    return SlotSearchForm(initial={**wishes, "day": timezone.localdate()}, branches=branches)


def _who(origin: Origin) -> dict[str, Any]:
    facts = origin.facts
    return {
        "name": facts.get("name", ""),
        "phone": facts.get("phone", ""),
        "email": facts.get("email", ""),
        "request_key": uuid.uuid4().hex,
    }


def _book(
    request: HttpRequest, origin: Origin, search: SlotSearchForm, book: BookForm
) -> HttpResponse | None:
    """Book; None when the page is shown again with the reason on the form (nothing was changed)."""
    try:
        appointment = _booked(origin, search.query(origin.customer), book.cleaned_data)
    except services.AppointmentDeferred as deferred:
        messages.warning(request, DEFERRED % {"id": getattr(deferred.callback, "pk", "?")})
        return HttpResponseRedirect(reverse("admin:appointments_appointment_changelist"))
    except (CalcomError, ValidationError) as error:
        _explain(book, error)
        return None
    when = timezone.localtime(appointment.starts_at, appointment.branch.tzinfo).strftime("%d.%m.%Y %H:%M")
    params = {"service": appointment.service, "branch": appointment.branch, "when": when}
    messages.success(request, BOOKED % params)
    return HttpResponseRedirect(origin.back_url(appointment))


def _booked(origin: Origin, query: selectors.SlotQuery, data: dict[str, Any]) -> Appointment:
    """The appointment this form booked (sent twice, it books once).

    The time is checked with Cal.com before anything is written, so that Cal.com being down changes
    nothing, not even a walk-in's new customer record; `appointment_book` checks it again.
    """
    key = f"admin-{data['request_key']}"
    earlier = selectors.appointment_for_request(key)
    if earlier is not None:
        return earlier
    if not selectors.slot_is_free(query, start=data["start"]):
        raise services.SlotNotFree()
    return services.appointment_book(
        customer=origin.customer or _walk_in(data),
        service=query.service,
        branch=query.branch,
        staff=query.staff,
        starts_at=data["start"],
        source=Appointment.Source.ADMIN,
        callback_id=origin.callback_id,
        notes=data["notes"],
        idempotency_key=key,
    )


def _walk_in(data: dict[str, Any]) -> Customer:
    """The customer with this number (and name), else a new one."""
    name, phone = data["name"].strip(), data.get("phone", "")
    found = customer_for_phone(phone, name=name) if phone else None
    return found or customer_create(name=name, phone=phone, email=data.get("email", ""))


def _explain(form: forms.Form, error: Exception) -> None:
    """Cal.com's and the booking rules' refusals as form errors, in the user's words."""
    if isinstance(error, CalcomUnavailable):
        form.add_error(None, CALENDAR_DOWN)
    elif isinstance(error, CalcomError):
        form.add_error(None, CALENDAR_REFUSED % {"message": error})
    elif hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields and field != "start" else None, problems)
    else:
        form.add_error(None, error.messages)


def _free_times(search: SlotSearchForm, customer: Customer | None) -> list[tuple[date, list[datetime]]]:
    """The free times of the days shown, per local day of the branch (raises what Cal.com raised)."""
    query = search.query(customer)
    tz = query.branch.tzinfo
    today = timezone.now().astimezone(tz).date()
    first_day = max(search.cleaned_data["day"], today)
    last_day = min(
        first_day + timedelta(days=DAYS_SHOWN - 1),
        today + timedelta(days=int(company_setting("APPOINTMENT_SEARCH_MAX_DAYS"))),
    )
    days: dict[date, list[datetime]] = {}
    for slot in selectors.availability_search(query, first_day=first_day, last_day=last_day):
        local = slot.start.astimezone(tz)
        days.setdefault(local.date(), []).append(local)
    return list(days.items())


def _search_values(search: SlotSearchForm) -> dict[str, Any]:
    """The search, carried by the booking form as hidden inputs."""
    data = search.cleaned_data
    return {
        "branch": data["branch"].pk,
        "service": data["service"].pk,
        "staff": data["staff"].pk if data.get("staff") else "",
        "day": data["day"].isoformat(),
    }


def _page(model_admin, request, origin: Origin, search: SlotSearchForm, book: BookForm) -> TemplateResponse:
    free_times, searched = [], search.is_bound and search.is_valid()
    if searched:
        try:
            free_times = _free_times(search, origin.customer)
        except (CalcomError, ValidationError) as error:
            _explain(search, error)
            searched = False
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Book an appointment"),
        "origin": origin,
        "hidden": origin.hidden(),
        "search": search,
        "search_hidden": _search_values(search) if searched else {},
        "book": book,
        "searched": searched,
        "free_times": free_times,
        "chosen": request.POST.get("start", ""),
    }
    return TemplateResponse(request, BOOK_TEMPLATE, context)
