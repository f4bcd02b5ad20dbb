"""URLs of the oversight area (filled in as it is built)."""

urlpatterns = []
