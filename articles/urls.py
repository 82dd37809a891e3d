from django.urls import include, path

from . import feeds, search, sharing, sitemaps, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("chuyen-muc/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tu-khoa/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("tac-gia/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("to-chuc/<slug:slug>/", views.OrganizationView.as_view(), name="organization"),
    path("bai-viet/<slug:slug>/", views.ArticleView.as_view(), name="article"),
    path("xem-truoc/<str:token>/", sharing.share_view, name="share"),
    path("dinh-chinh/", views.CorrectionListView.as_view(), name="corrections"),
    # Search (/tim-kiem/), the feeds, and the sitemaps with robots.txt: each module lists its own addresses.
    path("", include(search.urlpatterns)),
    path("", include(feeds.urlpatterns)),
    path("", include(sitemaps.urlpatterns)),
]
