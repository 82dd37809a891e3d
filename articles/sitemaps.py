"""Placeholder while issue 12 is built; replaced by its owner."""

urlpatterns = []
