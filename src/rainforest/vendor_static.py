"""Single files of front-end packages served as static files.

Some npm packages ship a large folder of builds, sources and maps for one file a page needs (ECharts'
``dist`` is 51 MB around a 1 MB ``echarts.min.js``). Collecting the whole folder would copy and compress
all of it on every release, so these files are named one by one in ``settings.VENDOR_FILES``
(static path → file on disk) and found here."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class VendorFileFinder(BaseFinder):
    def find(self, path, find_all=False, **kwargs):
        source = settings.VENDOR_FILES.get(path)
        if source is None or not Path(source).is_file():
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for static_path, source in settings.VENDOR_FILES.items():
            source = Path(source)
            if not source.is_file():
                continue
            # Each file is listed from a storage rooted at its own folder, under its static prefix.
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = str(Path(static_path).parent)
            yield source.name, storage
