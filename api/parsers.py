"""The API's JSON: what DRF's parser accepts, minus text PostgreSQL cannot store (NUL, lone surrogates).

Both would otherwise pass validation and fail mid-write with a 500; here they are a 400 naming the field.
"""

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from common.webhook_body import BodyRejected, check_text


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            check_text(data)
        except BodyRejected as rejected:
            raise exceptions.ValidationError({rejected.field or "body": [rejected.error]}) from rejected
        return data
