"""What the voice agent says, in German and English.

These sentences are read aloud to callers, so they live here as a phrasebook in both languages and are
tested in both, rather than waiting for the UI catalogue to be translated. Placeholders use str.format.
"""

PHRASES: dict[str, dict[str, str]] = {
    # asking for what is missing
    "ask_service": {
        "en": "Which service would you like?",
        "de": "Welche Leistung möchten Sie?",
    },
    "ask_when": {
        "en": "On which day and at what time would you like to come?",
        "de": "An welchem Tag und um wie viel Uhr möchten Sie kommen?",
    },
    "ask_new_when": {
        "en": "To which day and time shall I move the appointment?",
        "de": "Auf welchen Tag und welche Uhrzeit soll ich den Termin verschieben?",
    },
    "ask_time": {
        "en": "At what time exactly?",
        "de": "Um wie viel Uhr genau?",
    },
    "ask_name": {
        "en": "May I have your name, please?",
        "de": "Darf ich bitte Ihren Namen haben?",
    },
    "ask_phone": {
        "en": "Under which phone number can we reach you?",
        "de": "Unter welcher Telefonnummer können wir Sie erreichen?",
    },
    "ask_reason": {
        "en": "What is it about, so that my colleague can prepare?",
        "de": "Worum geht es, damit sich meine Kollegin oder mein Kollege vorbereiten kann?",
    },
    "ask_appointment": {
        "en": "Which appointment do you mean? Please tell me its date.",
        "de": "Welchen Termin meinen Sie? Nennen Sie mir bitte das Datum.",
    },
    "ask_reservation": {
        "en": "Which reserved time do you mean?",
        "de": "Welche reservierte Zeit meinen Sie?",
    },
    "ask_name_and_date": {
        "en": "Your number is withheld. Please tell me your name and the date of the appointment.",
        "de": "Ihre Nummer ist unterdrückt. Nennen Sie mir bitte Ihren Namen und das Datum des Termins.",
    },
    # unusable answers
    "unknown_service": {
        "en": "I could not find {value}. We offer: {options}.",
        "de": "{value} habe ich nicht gefunden. Wir bieten an: {options}.",
    },
    "ambiguous_service": {
        "en": "Do you mean {options}?",
        "de": "Meinen Sie {options}?",
    },
    "unknown_staff": {
        "en": "I could not find {value} in our team. Shall I book with whoever is free?",
        "de": "{value} habe ich in unserem Team nicht gefunden. Soll ich bei jemandem buchen, der frei ist?",
    },
    "unclear_when": {
        "en": (
            "I did not understand “{value}”. Could you say it differently, for example “next Tuesday at 10”?"
        ),
        "de": (
            "„{value}“ habe ich nicht verstanden. Können Sie es anders "
            "sagen, zum Beispiel „nächsten Dienstag um 10“?"
        ),
    },
    "in_the_past": {
        "en": "That time has already passed. Which other day would suit you?",
        "de": "Dieser Zeitpunkt ist schon vorbei. Welcher andere Tag passt Ihnen?",
    },
    "invalid_phone": {
        "en": "That phone number does not seem right. Could you repeat it?",
        "de": "Diese Telefonnummer scheint nicht zu stimmen. Können Sie sie bitte wiederholen?",
    },
    "unknown_function": {
        "en": "I cannot do that here. Shall I arrange a callback?",
        "de": "Das kann ich leider nicht erledigen. Soll ich einen Rückruf veranlassen?",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Shall I arrange for a colleague to call you back?",
        "de": "Entschuldigung, da ist bei mir etwas schiefgegangen. Soll ich einen Rückruf veranlassen?",
    },
    # customer
    "customer_found": {
        "en": "Welcome back, {name}.",
        "de": "Schön, dass Sie wieder anrufen, {name}.",
    },
    "customer_unnamed": {
        "en": "I have your number on record. May I have your name?",
        "de": "Ihre Nummer ist bei uns bekannt. Darf ich noch Ihren Namen haben?",
    },
    "customer_new": {
        "en": "You are not in our records yet; that is no problem.",
        "de": "Sie sind noch nicht in unserer Kundenkartei; das ist kein Problem.",
    },
    "customer_withheld": {
        "en": "Your number is withheld, so I cannot look you up. May I have your name?",
        "de": "Ihre Nummer ist unterdrückt, deshalb kann ich Sie nicht finden. Darf ich Ihren Namen haben?",
    },
    # services and hours
    "services": {
        "en": "We offer: {services}.",
        "de": "Wir bieten an: {services}.",
    },
    "no_services": {
        "en": "At the moment there is nothing to book here.",
        "de": "Zurzeit kann hier nichts gebucht werden.",
    },
    "no_hours": {
        "en": "We have no opening hours in the coming days. Shall I arrange a callback?",
        "de": "In den nächsten Tagen haben wir keine Öffnungszeiten. Soll ich einen Rückruf veranlassen?",
    },
    "service_info": {
        "en": "{name} takes {minutes} minutes and costs {price}.",
        "de": "{name} dauert {minutes} Minuten und kostet {price}.",
    },
    "hours_day": {
        "en": "On {day} we are open {spans}.",
        "de": "Am {day} haben wir {spans} geöffnet.",
    },
    "closed_day": {
        "en": "On {day} we are closed.",
        "de": "Am {day} haben wir geschlossen.",
    },
    "hours_week": {
        "en": "Our opening hours: {spans}.",
        "de": "Unsere Öffnungszeiten: {spans}.",
    },
    "span": {"en": "{opens} to {closes}", "de": "von {opens} bis {closes}"},
    "and": {"en": "and", "de": "und"},
    "or": {"en": "or", "de": "oder"},
    "parsed_date": {
        "en": "That is {when}.",
        "de": "Das ist {when}.",
    },
    "parsed_range": {
        "en": "That is from {first} to {last}.",
        "de": "Das ist von {first} bis {last}.",
    },
    # callbacks
    "callback_created": {
        "en": "Thank you. A colleague will call you back by {deadline}.",
        "de": "Vielen Dank. Wir rufen Sie bis {deadline} zurück.",
    },
    "callback_merged": {
        "en": (
            "You already have a callback request with us; I have added "
            "this to it. We will call you by {deadline}."
        ),
        "de": (
            "Sie haben bereits einen Rückrufwunsch bei uns; ich habe das "
            "ergänzt. Wir rufen Sie bis {deadline} zurück."
        ),
    },
    "callback_soon": {
        "en": "Thank you. A colleague will call you back as soon as possible.",
        "de": "Vielen Dank. Wir rufen Sie so bald wie möglich zurück.",
    },
    # appointments
    "no_appointments": {
        "en": "I cannot find any upcoming appointment for you.",
        "de": "Ich finde keinen anstehenden Termin für Sie.",
    },
    "appointments": {
        "en": "Your upcoming appointments: {items}.",
        "de": "Ihre nächsten Termine: {items}.",
    },
    "appointment_item": {"en": "{service} on {when}", "de": "{service} am {when}"},
    "appointment_found_by_name": {
        "en": "I found your appointment: {service} at {time}.",
        "de": "Ich habe Ihren Termin gefunden: {service} um {time}.",
    },
    "identity_needed": {
        "en": (
            "To change an appointment I need to recognise your number. Please call from the number you "
            "booked with, or I can arrange a callback."
        ),
        "de": (
            "Um einen Termin zu ändern, muss ich Ihre Nummer erkennen. Bitte rufen Sie von der Nummer an, "
            "mit der Sie gebucht haben, oder ich veranlasse einen Rückruf."
        ),
    },
    "slots": {
        "en": "I have these times free: {slots}.",
        "de": "Ich habe folgende Zeiten frei: {slots}.",
    },
    "slot_free": {
        "en": "{when} is free. Shall I book it for you?",
        "de": "{when} ist frei. Soll ich den Termin für Sie buchen?",
    },
    "slot_taken": {
        "en": "{when} is not available. I could offer: {slots}.",
        "de": "{when} ist leider nicht frei. Ich könnte Ihnen anbieten: {slots}.",
    },
    "no_slots": {
        "en": "Unfortunately nothing is free then. Shall I look at another day or arrange a callback?",
        "de": (
            "Leider ist da nichts frei. Soll ich an einem anderen Tag schauen oder einen Rückruf veranlassen?"
        ),
    },
    "own_appointment_then": {
        "en": "You already have an appointment then: {service} on {when}.",
        "de": "Sie haben zu dieser Zeit bereits einen Termin: {service} am {when}.",
    },
    "next_free": {
        "en": "The next free time is {when}. Shall I book it?",
        "de": "Der nächste freie Termin ist {when}. Soll ich ihn buchen?",
    },
    "slot_held": {
        "en": "I am holding {when} for you for {minutes} minutes.",
        "de": "Ich halte {when} für {minutes} Minuten für Sie frei.",
    },
    "slot_released": {
        "en": "I have released that time.",
        "de": "Ich habe die Zeit wieder freigegeben.",
    },
    "booked": {
        "en": "Your appointment is booked: {service} on {when}.",
        "de": "Ihr Termin ist gebucht: {service} am {when}.",
    },
    "booking_by_callback": {
        "en": "Your number is withheld: a colleague will call the number you gave to confirm {when}.",
        "de": "Ihre Nummer ist unterdrückt: wir rufen die genannte Nummer an, um {when} zu bestätigen.",
    },
    "booking_deferred": {
        "en": "I cannot reach our calendar right now. A colleague will call you back to confirm {when}.",
        "de": "Ich erreiche unseren Kalender gerade nicht. Wir rufen Sie zurück, um {when} zu bestätigen.",
    },
    "booking_refused": {
        "en": "I could not book that: {reason} Shall I arrange a callback?",
        "de": "Das konnte ich nicht buchen: {reason} Soll ich einen Rückruf veranlassen?",
    },
    "slot_gone_callback": {
        "en": (
            "{when} is no longer free and I have nothing close to it. "
            "A colleague will call you back to find a time."
        ),
        "de": (
            "{when} ist leider nicht mehr frei, und ich habe nichts Passendes in der Nähe. "
            "Wir rufen Sie zurück, um einen Termin zu finden."
        ),
    },
    "staff_cannot": {
        "en": "{staff} does not offer {service}. Shall I book with someone else?",
        "de": "{staff} bietet {service} nicht an. Soll ich bei jemand anderem buchen?",
    },
    "fee_confirm_cancel": {
        "en": "Cancelling now costs {fee}. Shall I cancel anyway?",
        "de": "Eine Absage kostet jetzt {fee}. Soll ich trotzdem absagen?",
    },
    "confirm_cancel": {
        "en": "Shall I cancel {service} on {when}?",
        "de": "Soll ich {service} am {when} absagen?",
    },
    "cancelled": {
        "en": "Your appointment {service} on {when} is cancelled.",
        "de": "Ihr Termin {service} am {when} ist abgesagt.",
    },
    "fee_applies": {"en": " A fee of {fee} applies.", "de": " Es fällt eine Gebühr von {fee} an."},
    "policy_refused": {
        "en": "I cannot do that: {reason}",
        "de": "Das ist leider nicht möglich: {reason}",
    },
    "fee_confirm_reschedule": {
        "en": "Moving the appointment now costs {fee}. Shall I move it to {when} anyway?",
        "de": "Eine Verschiebung kostet jetzt {fee}. Soll ich den Termin trotzdem auf {when} verschieben?",
    },
    "confirm_reschedule": {
        "en": "Shall I move {service} from {old} to {when}?",
        "de": "Soll ich {service} vom {old} auf {when} verschieben?",
    },
    "rescheduled": {
        "en": "Done: {service} is now on {when}.",
        "de": "Erledigt: {service} ist jetzt am {when}.",
    },
    "several_appointments": {
        "en": "You have several appointments: {items}. Which one do you mean?",
        "de": "Sie haben mehrere Termine: {items}. Welchen meinen Sie?",
    },
    "calendar_unavailable": {
        "en": "I cannot do that right now; I have arranged for a colleague to call you back.",
        "de": "Das kann ich gerade leider nicht erledigen; wir rufen Sie dazu zurück.",
    },
    # the central line: which branch?
    "branch_needed": {
        "en": "Which of our branches do you mean: {options}?",
        "de": "Welche unserer Filialen meinen Sie: {options}?",
    },
    "unknown_branch": {
        "en": "I could not find a branch called {value}. We have {options}. Which one do you mean?",
        "de": "Eine Filiale {value} habe ich nicht gefunden. Wir haben {options}. Welche meinen Sie?",
    },
    "ambiguous_branch": {
        "en": "Do you mean {options}?",
        "de": "Meinen Sie {options}?",
    },
}


def say(key: str, language: str, **params: object) -> str:
    """The phrase in `language` (German when unknown), with its placeholders filled."""
    texts = PHRASES[key]
    return texts.get(language, texts["de"]).format(**params)


def spoken_list(items: list[str], language: str, *, conjunction: str = "and") -> str:
    """ "A, B and C" / "A, B und C"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say(conjunction, language)} {items[-1]}"
