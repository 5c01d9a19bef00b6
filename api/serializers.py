"""What the API shows and accepts. Serializers only shape data: every write goes through a service."""

from rest_framework import serializers

from appointments.models import Appointment
from callbacks.models import CallbackEscalation, CallbackRequest, ContactAttempt
from org.models import Branch, Customer, Service, Staff
from policies.models import AppointmentModification


class BranchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "name", "address", "email", "timezone", "is_active"]


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "duration_minutes",
            "price",
            "currency",
            "is_active",
            "branches",
        ]


class StaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = Staff
        fields = ["id", "name", "email", "role", "is_active", "accepts_callbacks", "branches", "services"]


class CustomerSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(allow_blank=True, required=False, max_length=32)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "phone",
            "email",
            "preferred_language",
            "timezone",
            "is_vip",
            "notes",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class CallbackSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    # Headings the system writes into the notes are message keys: rendered in the request's language.
    notes = serializers.CharField(source="notes_text", read_only=True)

    class Meta:
        model = CallbackRequest
        fields = [
            "id", "status", "priority", "phone", "customer", "customer_name", "customer_email", "branch",
            "service", "preferred_staff", "assigned_to", "preferred_window_start", "preferred_window_end",
            "notes", "source", "contact_attempts_count", "escalation_level", "expires_at", "is_overdue",
            "assigned_at", "contacted_at", "completed_at", "cancelled_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class CallbackCreateSerializer(serializers.Serializer):
    """Ids are checked by `callback_create` (it names the field that is wrong)."""

    branch = serializers.IntegerField()
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    customer_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    customer_email = serializers.EmailField(required=False, allow_blank=True)
    customer = serializers.IntegerField(required=False, allow_null=True)
    service = serializers.IntegerField(required=False, allow_null=True)
    preferred_staff = serializers.IntegerField(required=False, allow_null=True)
    priority = serializers.ChoiceField(CallbackRequest.Priority.choices, required=False, allow_null=True)
    preferred_window_start = serializers.DateTimeField(required=False, allow_null=True)
    preferred_window_end = serializers.DateTimeField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class CallbackCreatedSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="False when the request joined an existing open one.")
    callback = CallbackSerializer()


class StaffChoiceSerializer(serializers.Serializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.filter(is_active=True))


class AssignSerializer(serializers.Serializer):
    """Without `staff` the callback is assigned automatically (the company's strategy)."""

    staff = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.filter(is_active=True), required=False, allow_null=True
    )


class ContactAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactAttempt
        fields = ["id", "outcome", "staff", "note", "call_back_at", "attempted_at"]
        read_only_fields = ["id", "attempted_at"]
        extra_kwargs = {"staff": {"queryset": Staff.objects.filter(is_active=True)}}


class EscalateSerializer(serializers.Serializer):
    to_staff = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.filter(is_active=True), required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class EscalationSerializer(serializers.ModelSerializer):
    notes = serializers.CharField(source="notes_text", read_only=True)

    class Meta:
        model = CallbackEscalation
        fields = ["id", "level", "reason", "from_staff", "to_staff", "escalated_at", "notes"]


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AppointmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appointment
        fields = [
            "id", "reference", "status", "customer", "service", "staff", "branch", "starts_at", "ends_at",
            "source", "price", "currency", "notes", "sync_state", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class AppointmentChangeSerializer(serializers.Serializer):
    """`staff`: who acts (a manager may override a refusal or waive the fee, with a reason)."""

    staff = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.filter(is_active=True), required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    waive_fee = serializers.BooleanField(required=False, default=False)
    waive_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AppointmentRescheduleSerializer(AppointmentChangeSerializer):
    new_start = serializers.DateTimeField()


class VerdictSerializer(serializers.ModelSerializer):
    """The policy engine's verdict as recorded with the change, and the fee it cost."""

    code = serializers.CharField(source="decision_code")
    reason = serializers.CharField(source="decision_reason")

    class Meta:
        model = AppointmentModification
        fields = [
            "code", "reason", "within_policy", "overridden", "fee_amount", "fee_currency", "waived",
        ]  # fmt: skip


class AppointmentChangedSerializer(serializers.Serializer):
    appointment = AppointmentSerializer()
    verdict = VerdictSerializer()


class CustomerExportSerializer(serializers.Serializer):
    """The shape of `GET /customers/{id}/export/` (org.privacy.customer_export): one object per section."""

    exported_at = serializers.DateTimeField()
    customer = serializers.DictField()
    callbacks = serializers.ListField(child=serializers.DictField())
    appointments = serializers.ListField(child=serializers.DictField())
    calls = serializers.ListField(child=serializers.DictField())
    notifications = serializers.ListField(child=serializers.DictField())
