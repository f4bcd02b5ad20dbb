"""URLs of the documents area, mounted at /documents/."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("cases/<str:number>/", views.case_documents, name="case"),
    path("cases/<str:number>/issue/", views.issue, name="issue"),
    path("cases/<str:number>/archive.zip", views.archive, name="archive"),
    path("cases/<str:number>/sign/<str:form>/", views.sign, name="sign"),
    path("cases/<str:number>/sms/<str:form>/", views.sms_code, name="sms"),
    path("cases/<str:number>/<str:document_number>.pdf", views.download, name="download"),
    path("cases/<str:number>/<str:document_number>/correct/", views.correct, name="correct"),
    path("letterheads/<int:pk>/logo", views.letterhead_logo, name="letterhead-logo"),
]
