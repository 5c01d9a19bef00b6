"""Changes to a company's organisation: people, branches, customers."""

from django.contrib.auth.models import Group, User
from django.db import transaction

from common.phone import normalise_phone
from org.models import Branch, Customer, Service, Staff
from org.roles import Role


@transaction.atomic
def staff_ensure(
    *,
    email: str,
    name: str,
    role: str = Role.STAFF,
    password: str | None = None,
    branches: tuple[Branch, ...] = (),
    services: tuple[Service, ...] = (),
    **fields,
) -> tuple[Staff, bool]:
    """The staff member with this login, created with its user and role group when missing."""
    user = User.objects.filter(username=email).first()
    if user is not None and hasattr(user, "staff"):
        return user.staff, False
    if user is None:
        user = User(username=email, email=email, first_name=name, is_staff=True)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
    staff = Staff(user=user, name=name, email=email, role=role, **fields)
    staff.full_clean()
    staff.save()
    staff.branches.set(branches)
    staff.services.set(services)
    staff_role_set(staff=staff, role=role)
    return staff, True


def staff_role_set(*, staff: Staff, role: str) -> Staff:
    """Keep the role field and the user's auth group in step (the group carries the permissions)."""
    staff.role = role
    staff.save(update_fields=["role"])
    group, _created = Group.objects.get_or_create(name=role)
    staff.user.groups.set([group])
    return staff


def customer_create(*, name: str, phone: str = "", email: str = "", **fields) -> Customer:
    customer = Customer(name=name, phone=normalise_phone(phone) if phone else "", email=email, **fields)
    customer.full_clean()
    customer.save()
    return customer
