"""The photo picker's endpoints (search the library, upload into it), under /admin/photo-picker/."""

urlpatterns = []
