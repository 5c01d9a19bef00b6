"""The bench's floor view is mounted only for the bench's own gunicorn (BENCH_FLOOR=on), never otherwise."""

from config import urls_public


def test_the_floor_view_is_not_mounted_without_bench_floor():
    assert "bench_floor" not in {getattr(pattern, "name", None) for pattern in urls_public.urlpatterns}
