"""URLs of the notifications area (filled in as it is built)."""

urlpatterns = []
