from django.urls import path

from . import views

app_name = "photos"

urlpatterns = [
    path("anh/<int:pk>/", views.photo_file, name="photo"),
]
