from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sputnik.sales.scale import SCALES, NotEmpty, Sizes, load


class Command(BaseCommand):
    help = gettext_lazy(
        "Fill an empty database with a large, realistic data set for speed measurements: "
        "business lines, employees, organisations, persons, jobs, deals with their stage "
        "history, contacts and lists. The same seed gives the same data; dates are "
        "relative to the current time. Rows are written in bulk (COPY on PostgreSQL), "
        "without audit log entries. The employees bench.sales and bench.head have no "
        "usable password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), help=_("100k or 1m organisations"))
        parser.add_argument("--organizations", type=int)
        parser.add_argument("--persons", type=int)
        parser.add_argument("--employments", type=int)
        parser.add_argument("--deals", type=int)
        parser.add_argument("--interactions", type=int)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        organizations = options["organizations"] or SCALES.get(options["scale"] or "")
        if not organizations or organizations < 1:
            raise CommandError(_("Give --organizations N or --scale 100k|1m."))
        counts = {
            name: options[name] for name in ("persons", "employments", "deals", "interactions")
        }
        if any(value is not None and value < 0 for value in counts.values()):
            raise CommandError(_("Counts cannot be negative."))
        sizes = Sizes.proportional(organizations, **counts)
        try:
            result = load(sizes, options["seed"], say=self.stdout.write)
        except NotEmpty as error:
            raise CommandError(
                _("The database already holds %(what)s: run seed_scale on an empty database.")
                % {"what": error}
            ) from None
        self.stdout.write(f"bench.sales id={result['bench_sales']}")
        self.stdout.write(f"bench.head id={result['bench_head']}")
