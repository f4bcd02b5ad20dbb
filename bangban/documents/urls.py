"""URLs of the documents area (filled in as it is built)."""

urlpatterns = []
