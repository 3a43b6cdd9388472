"""/sitemap.xml is an index of one sitemap per section, each paginated by Django.

Stories and devices run to tens of thousands, past what one sitemap file may list, so each
section is its own file; the big sections count then fetch a page, the small ones are lists.
Each app registers its sections in ``AppConfig.ready()``, in the order the index lists them.
"""

SITEMAPS = {}


def register_sitemap(section, sitemap):
    """List ``sitemap`` (a Sitemap class) in the index as /sitemap-<section>.xml."""
    SITEMAPS[section] = sitemap
