from django.urls import path

from .views import exports, prisma

app_name = "extraction"
urlpatterns = [
    path("exports/", exports.exports, name="exports"),
    path("exports/<int:job_id>/", exports.export_job, name="export-job"),
    path("exports/<int:job_id>/download/", exports.export_download, name="export-download"),
    path("prisma/", prisma.prisma_page, name="prisma"),
    path("prisma/download/<str:fmt>/", prisma.prisma_download, name="prisma-download"),
]
