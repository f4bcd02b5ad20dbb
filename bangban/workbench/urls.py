"""URLs of the workbench area (filled in as it is built)."""

urlpatterns = []
