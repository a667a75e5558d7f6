import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from sputnik.core.collection import collect_between_requests_from_now

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sputnik.settings")
application = get_wsgi_application()

# What starting the process created (modules, models, the URLconf: ~130,000 objects)
# lives as long as the process. Frozen, it is no longer traversed by every full garbage
# collection, which then takes about half as long (~190 → ~90 ms here, once every dozen
# requests; see docs/performance.md). Those full collections run between requests
# (sputnik/core/collection.py).
import_module(settings.ROOT_URLCONF)
gc.freeze()
collect_between_requests_from_now()
