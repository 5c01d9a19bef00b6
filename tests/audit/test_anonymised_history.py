"""Anonymising a customer leaves no personal data in the audit trail either."""

from appointments.models import Appointment
from org.models import Customer
from org.privacy import customer_anonymise
from tests.factories.appointments import AppointmentFactory
from tests.factories.org import CustomerFactory


def test_anonymising_scrubs_the_customers_old_values_from_the_history(company):
    dana = CustomerFactory(name="Dana Ruiz", phone="+4930123456", email="dana@example.test", notes="VIP")
    dana.name = "Dana Ruiz-Weber"
    dana.save()

    customer_anonymise(customer=dana)

    kept = Customer.history.filter(id=dana.pk).values_list("name", "phone", "email", "notes")
    assert set(kept) == {(f"anonymised #{dana.pk}", "", "", "")}


def test_anonymising_scrubs_the_notes_of_the_customers_appointments_from_the_history(company):
    dana = CustomerFactory(name="Dana Ruiz")
    AppointmentFactory(customer=dana, notes="Allergic to latex")

    customer_anonymise(customer=dana)

    assert set(Appointment.history.filter(customer=dana).values_list("notes", flat=True)) == {""}
