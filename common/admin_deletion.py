"""The delete page without a model's many-to-many link rows.

Django lists each row of an automatic link table ("Staff-branch-Beziehung: Staff_branches object (3)"):
text no person can act on, half English. They go with the object; the page lists what a person knows.
"""

from django.utils.text import capfirst


def _without(items: list, prefixes: tuple[str, ...]) -> list:
    kept = []
    for item in items:
        if isinstance(item, list):
            if nested := _without(item, prefixes):
                kept.append(nested)
        elif not str(item).startswith(prefixes):
            kept.append(item)
    return kept


class LinkRowsUnlistedMixin:
    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        own = [field.remote_field.through._meta for field in self.model._meta.many_to_many]
        others = [relation.related_model._meta for relation in self.model._meta.related_objects]
        links = [link for link in own + others if link.auto_created]
        prefixes = tuple(f"{capfirst(link.verbose_name)}: " for link in links)
        plurals = {str(capfirst(link.verbose_name_plural)) for link in links} | {
            str(link.verbose_name_plural) for link in links
        }
        counts = {name: count for name, count in counts.items() if str(name) not in plurals}
        return _without(deleted, prefixes), counts, perms_needed, protected
